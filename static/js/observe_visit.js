/*
 * The "New visit" form: shows the checklist of the chosen stage, hides questions whose
 * show_if is false (and leaves them out of the report), checks every answer before sending,
 * then puts the report in the offline queue and tries to send it at once.
 */
(function () {
  "use strict";
  var O = window.Observe;
  var form = document.getElementById("visit-form");
  if (!O || !form) return;
  var config = O.config;
  var S = config.strings;
  var params = new URLSearchParams(window.location.search);
  var clientUuid = VisitQueue.newUuid();
  var keptPhotos = []; // photos of a queued report being corrected
  var submitted = false;

  var stationSelect = document.getElementById("station");
  var stationCode = document.getElementById("station-code");
  var stationCodeLabel = document.getElementById("station-code-label");
  var arrived = document.getElementById("arrived-at");
  var departed = document.getElementById("departed-at");
  var voters = document.getElementById("voters-so-far");
  var votersHint = document.getElementById("voters-hint");
  var findingList = document.getElementById("finding-list");
  var findingTemplate = document.getElementById("finding-template");
  var statusNode = document.getElementById("form-status");
  var serverErrors = document.getElementById("server-errors");

  /* ---- time on election day, in the mission's time zone ---- */
  function missionNow() {
    return Clock.parts(Date.now(), config.timezone); // {date, time} on the mission's clock
  }
  function isoAt(hhmm) {
    var hour = Number(hhmm.slice(0, 2));
    return config.day + "T" + hhmm + ":00" + config.offsets[hour];
  }

  /* ---- errors next to fields ---- */
  function errorNode(container) {
    return container.querySelector(".field-error");
  }
  function setError(container, message) {
    var node = errorNode(container);
    container.classList.toggle("invalid", !!message);
    if (!node) return;
    node.textContent = message || "";
    node.hidden = !message;
  }

  /* ---- stations ---- */
  function selectedRegistered() {
    var option = stationSelect.options[stationSelect.selectedIndex];
    var value = option && option.getAttribute("data-registered");
    return value ? Number(value) : null;
  }
  function stationChanged() {
    var other = stationSelect.value === "other";
    stationCodeLabel.hidden = !other;
    stationCode.disabled = !other;
    votersChanged();
  }

  /* ---- checklists and skip logic ---- */
  function sections() {
    return Array.prototype.slice.call(form.querySelectorAll("section.checklist"));
  }
  function activeSection() {
    var checked = form.querySelector("input[name=checklist]:checked");
    if (!checked) return null;
    return form.querySelector('section.checklist[data-checklist="' + checked.value + '"]');
  }
  function questions(section) {
    return Array.prototype.slice.call(section.querySelectorAll("fieldset.question"));
  }
  function inputsOf(fieldset) {
    return Array.prototype.slice.call(fieldset.querySelectorAll("input, textarea, select"));
  }
  function setEnabled(node, enabled) {
    inputsOf(node).forEach(function (input) {
      input.disabled = !enabled;
    });
  }

  function questionValue(fieldset) {
    var type = fieldset.getAttribute("data-type");
    var inputs = inputsOf(fieldset);
    var checked = inputs.filter(function (i) {
      return i.checked;
    });
    if (type === "YES_NO") return checked.length ? checked[0].value === "true" : undefined;
    if (type === "CHOICE") return checked.length ? checked[0].value : undefined;
    if (type === "MULTI_CHOICE") {
      return checked.length
        ? checked.map(function (i) {
            return i.value;
          })
        : undefined;
    }
    if (type === "INTEGER") {
      var raw = inputs[0].value.trim();
      if (raw === "") return inputs[0].validity && inputs[0].validity.badInput ? NaN : undefined;
      return Number(raw);
    }
    var text = inputs[0].value.trim();
    return text === "" ? undefined : text;
  }

  /* Show the questions whose condition holds; returns {code: value} of the visible ones. */
  function applySkipLogic(section) {
    var visible = {};
    var values = {};
    questions(section).forEach(function (fieldset) {
      var code = fieldset.getAttribute("data-code");
      var condition = fieldset.getAttribute("data-show-if");
      var show = true;
      if (condition) {
        var rule = JSON.parse(condition);
        var answer = values[rule.question];
        // Several choices: the condition holds when the chosen ones include the value.
        var matches = Array.isArray(answer)
          ? answer.indexOf(rule.equals) >= 0
          : answer === rule.equals;
        show = !!visible[rule.question] && matches;
      }
      fieldset.hidden = !show;
      setEnabled(fieldset, show);
      visible[code] = show;
      if (show) {
        var value = questionValue(fieldset);
        if (value !== undefined) values[code] = value;
      } else {
        setError(fieldset, "");
      }
    });
    return values;
  }

  function checklistChanged() {
    var active = activeSection();
    sections().forEach(function (section) {
      var on = section === active;
      section.hidden = !on;
      setEnabled(section, on);
    });
    if (active) applySkipLogic(active);
  }

  function validateQuestion(fieldset) {
    if (fieldset.hidden) return true;
    var value = questionValue(fieldset);
    var required = fieldset.getAttribute("data-required") === "true";
    var message = "";
    if (value === undefined) {
      if (required) message = S.required;
    } else if (fieldset.getAttribute("data-type") === "INTEGER") {
      var min = fieldset.getAttribute("data-min");
      var max = fieldset.getAttribute("data-max");
      if (!Number.isInteger(value)) message = S.whole_number;
      else if (min !== null && value < Number(min)) message = S.at_least + " " + min + ".";
      else if (max !== null && value > Number(max)) message = S.at_most + " " + max + ".";
    }
    setError(fieldset, message);
    return !message;
  }

  /* ---- times, ballots, assessment ---- */
  function fieldBox(input) {
    return input.closest("[data-field]");
  }
  function validateTimes() {
    var ok = true;
    if (!arrived.value) {
      setError(fieldBox(arrived), S.arrival);
      ok = false;
    } else {
      setError(fieldBox(arrived), "");
    }
    if (departed.value && arrived.value && departed.value < arrived.value) {
      setError(fieldBox(departed), S.departure_before_arrival);
      ok = false;
    } else {
      setError(fieldBox(departed), "");
    }
    return ok;
  }
  function votersChanged() {
    var raw = voters.value.trim();
    var registered = selectedRegistered();
    votersHint.hidden = !(raw !== "" && registered !== null && Number(raw) > registered);
    votersHint.textContent = votersHint.hidden ? "" : S.above_registered;
  }
  function validateVoters() {
    var raw = voters.value.trim();
    var message = "";
    if (raw === "" && voters.validity && voters.validity.badInput) message = S.whole_number;
    else if (raw !== "" && !Number.isInteger(Number(raw))) message = S.whole_number;
    else if (raw !== "" && Number(raw) < 0) message = S.not_negative;
    setError(fieldBox(voters), message);
    return !message;
  }

  /* ---- findings ---- */
  var findingCounter = 0;
  function addFinding(data) {
    var fragment = findingTemplate.content.cloneNode(true);
    var fieldset = fragment.querySelector("fieldset.finding");
    findingCounter += 1;
    fieldset.setAttribute("data-finding", String(findingCounter));
    Array.prototype.forEach.call(fieldset.querySelectorAll("input[name=severity]"), function (i) {
      i.name = "severity-" + findingCounter;
    });
    fieldset.querySelector(".remove-finding").addEventListener("click", function () {
      fieldset.remove();
      renumberFindings();
    });
    fieldset.querySelector("input[type=file]").addEventListener("change", function () {
      if (submitted) validateFinding(fieldset);
    });
    if (data) {
      fieldset.querySelector("select[name=category]").value = data.category || "";
      var severity = fieldset.querySelector('input[value="' + data.severity + '"]');
      if (severity) severity.checked = true;
      fieldset.querySelector("textarea[name=description]").value = data.description || "";
    }
    findingList.appendChild(fieldset);
    renumberFindings();
    return fieldset;
  }
  function findings() {
    return Array.prototype.slice.call(findingList.querySelectorAll("fieldset.finding"));
  }
  function renumberFindings() {
    findings().forEach(function (fieldset, index) {
      fieldset.querySelector(".finding-number").textContent = String(index + 1);
    });
  }
  function validateFinding(fieldset) {
    var ok = true;
    var category = fieldset.querySelector("select[name=category]");
    var categoryBox = fieldBox(category);
    setError(categoryBox, category.value ? "" : S.category);
    ok = ok && !!category.value;
    var severityBox = fieldset.querySelector('[data-field="severity"]');
    var severity = fieldset.querySelector("input[type=radio]:checked");
    setError(severityBox, severity ? "" : S.severity);
    ok = ok && !!severity;
    var fileInput = fieldset.querySelector("input[type=file]");
    var files = Array.prototype.slice.call(fileInput.files || []);
    var message = "";
    if (files.length > config.maxPhotos) message = S.too_many_photos;
    files.forEach(function (file) {
      if (["image/jpeg", "image/png"].indexOf(file.type) < 0) message = message || S.photo_type;
      if (file.size > config.maxPhotoBytes) message = message || S.photo_size;
    });
    setError(fieldBox(fileInput), message);
    return ok && !message;
  }

  function validateStation() {
    var message = "";
    if (!stationSelect.value) message = S.choose_station;
    else if (stationSelect.value === "other" && !stationCode.value.trim()) {
      message = S.station_code;
    }
    setError(document.getElementById("f-station"), message);
    return !message;
  }
  function validateChecklist() {
    var ok = !!activeSection();
    setError(document.getElementById("f-checklist"), ok ? "" : S.choose_stage);
    return ok;
  }
  function validateAssessment() {
    var ok = !!form.querySelector("input[name=assessment]:checked");
    setError(document.getElementById("f-assessment"), ok ? "" : S.assessment);
    return ok;
  }

  /* ---- the whole form ---- */
  function validateAll() {
    var ok = true;
    var first = null;
    function note(valid, node) {
      if (!valid) {
        ok = false;
        if (!first) first = node;
      }
    }
    note(validateStation(), document.getElementById("f-station"));
    var section = activeSection();
    note(validateChecklist(), document.getElementById("f-checklist"));
    note(validateTimes(), arrived);
    note(validateVoters(), voters);
    if (section) {
      applySkipLogic(section);
      questions(section).forEach(function (fieldset) {
        note(validateQuestion(fieldset), fieldset);
      });
    }
    note(validateAssessment(), document.getElementById("f-assessment"));
    findings().forEach(function (fieldset) {
      note(validateFinding(fieldset), fieldset);
    });
    return { ok: ok, first: first };
  }

  function buildReport() {
    var section = activeSection();
    var payload = {
      client_uuid: clientUuid,
      checklist: Number(section.getAttribute("data-checklist")),
      arrived_at: isoAt(arrived.value),
      answers: applySkipLogic(section),
      findings: [],
      notes: document.getElementById("notes").value.trim(),
    };
    if (stationSelect.value === "other") payload.station_code = stationCode.value.trim();
    else payload.station = Number(stationSelect.value);
    if (departed.value) payload.departed_at = isoAt(departed.value);
    if (voters.value.trim() !== "") payload.voters_so_far = Number(voters.value);
    payload.assessment = form.querySelector("input[name=assessment]:checked").value;
    var photos = [];
    findings().forEach(function (fieldset, index) {
      var checked = fieldset.querySelector("input[type=radio]:checked");
      payload.findings.push({
        category: fieldset.querySelector("select[name=category]").value,
        severity: checked.value,
        description: fieldset.querySelector("textarea[name=description]").value.trim(),
      });
      var files = Array.prototype.slice.call(fieldset.querySelector("input[type=file]").files || []);
      if (files.length) {
        files.forEach(function (file) {
          photos.push({ finding: index, blob: file, name: file.name, type: file.type });
        });
      } else {
        keptPhotos
          .filter(function (p) {
            return p.finding === Number(fieldset.getAttribute("data-kept-index"));
          })
          .forEach(function (p) {
            photos.push({ finding: index, blob: p.blob, name: p.name, type: p.type });
          });
      }
    });
    var option = stationSelect.options[stationSelect.selectedIndex];
    var label =
      (stationSelect.value === "other" ? stationCode.value.trim() : option.textContent.trim()) +
      " · " + section.querySelector("h2").firstChild.textContent.trim() + " · " + arrived.value +
      " (" + config.timezone + ")";
    return {
      payload: payload,
      photos: photos,
      meta: { label: label, mission: config.mission },
    };
  }

  /* The server's reasons next to the fields they name (each clears like the form's own once
     the field is changed); what names no field is listed above the button. */
  function showServerErrors(errors) {
    var rest = [];
    function place(container, messages, label) {
      var texts = O.flatten(messages);
      if (container && !container.hidden && errorNode(container)) setError(container, texts.join(" "));
      else rest = rest.concat(O.flatten(messages, label));
    }
    Object.keys(errors || {}).forEach(function (key) {
      var value = errors[key];
      var section = activeSection();
      if (key === "answers" && value && !Array.isArray(value) && typeof value === "object") {
        Object.keys(value).forEach(function (code) {
          var fieldset = section && section.querySelector('fieldset.question[data-code="' + code + '"]');
          place(fieldset, value[code], code);
        });
      } else if (key === "findings" && Array.isArray(value) && typeof value[0] === "object") {
        var fieldsets = findings();
        value.forEach(function (problems, index) {
          Object.keys(problems || {}).forEach(function (field) {
            var fieldset = fieldsets[index];
            place(fieldset && fieldset.querySelector('[data-field="' + field + '"]'), problems[field], field);
          });
        });
      } else {
        var name = key === "station_code" ? "station" : key;
        place(form.querySelector('#visit-form > [data-field="' + name + '"], #f-times [data-field="' + name + '"]'), value, key);
      }
    });
    serverErrors.textContent = rest.length ? S.server_errors + " " + rest.join(" · ") : "";
    serverErrors.hidden = !rest.length;
  }

  /* After a refused "send", each change checks its own field again: a fixed field loses its
     message at once, and the warning at the top goes when nothing is left to fix. */
  function recheck(target) {
    var section = activeSection();
    var box = target.closest("[data-field], fieldset.question, fieldset.finding");
    if (!box || !(submitted || box.classList.contains("invalid"))) return;
    if (box.id === "f-station") validateStation();
    else if (box.id === "f-checklist") validateChecklist();
    else if (box.id === "f-assessment") validateAssessment();
    else if (target === arrived || target === departed) validateTimes();
    else if (target === voters) validateVoters();
    else if (box.matches("fieldset.question") && section && section.contains(box)) {
      validateQuestion(box);
    } else if (target.closest("fieldset.finding")) validateFinding(target.closest("fieldset.finding"));
    if (!form.querySelector(".invalid:not([hidden])") && statusNode.classList.contains("error")) {
      showStatus("");
    }
  }

  function showStatus(message, kind) {
    statusNode.textContent = message;
    statusNode.className = "form-status " + (kind || "");
    statusNode.hidden = !message;
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    submitted = true;
    serverErrors.hidden = true;
    var check = validateAll();
    if (!check.ok) {
      showStatus(S.fix_errors, "error");
      if (check.first && check.first.scrollIntoView) check.first.scrollIntoView({ block: "center" });
      return;
    }
    var report = buildReport();
    var button = document.getElementById("submit-visit");
    button.disabled = true;
    O.queue
      .enqueue(report)
      .then(function () {
        return O.flush(true);
      })
      .then(function () {
        return O.queue.get(clientUuid);
      })
      .then(function (item) {
        button.disabled = false;
        if (item && item.state === "needs_correction") {
          showServerErrors(item.errors);
          showStatus(S.fix_errors, "error");
          var first = form.querySelector(".invalid:not([hidden])") || serverErrors;
          if (first.scrollIntoView) first.scrollIntoView({ block: "center" });
          return;
        }
        var message = item ? S.saved_offline : S.sent;
        try {
          sessionStorage.setItem("observe-flash", message);
        } catch (e) {
          /* private mode: no flash message */
        }
        window.location.href = config.urls.visits;
      })
      .catch(function (error) {
        button.disabled = false;
        showStatus(String((error && error.message) || error), "error");
      });
  });

  form.addEventListener("change", function (event) {
    var target = event.target;
    if (target.name === "checklist") checklistChanged();
    else if (target === stationSelect) stationChanged();
    var section = activeSection();
    if (section && section.contains(target)) {
      applySkipLogic(section);
      var fieldset = target.closest("fieldset.question");
      if (fieldset && fieldset.getAttribute("data-type") === "INTEGER") validateQuestion(fieldset);
    }
    if (target === arrived || target === departed) validateTimes();
    if (target === voters) validateVoters();
    recheck(target);
  });
  // Typing clears a message as soon as the text is right, not only when the field is left.
  form.addEventListener("input", function (event) {
    if (event.target.matches("input[type=text], input:not([type]), input[type=number], textarea")) {
      recheck(event.target);
    }
  });
  voters.addEventListener("input", votersChanged);
  document.getElementById("add-finding").addEventListener("click", function () {
    var fieldset = addFinding();
    fieldset.querySelector("select").focus();
  });

  /* ---- opening the form: a new report, or a queued one to correct ---- */
  function defaultStage(now) {
    var opens = config.pollsOpen;
    var opensPlusHour = String(Number(opens.slice(0, 2)) + 1).padStart(2, "0") + opens.slice(2);
    if (now.time < opensPlusHour) return "OPENING";
    if (now.time < config.pollsClose) return "VOTING";
    return "CLOSING";
  }
  function chooseStage(stage) {
    var radio = form.querySelector('input[name=checklist][data-stage="' + stage + '"]');
    if (radio) radio.checked = true;
  }
  function chooseChecklist(id) {
    var radio = form.querySelector('input[name=checklist][value="' + id + '"]');
    if (radio) radio.checked = true;
    return !!radio;
  }

  function fillQuestion(fieldset, value) {
    inputsOf(fieldset).forEach(function (input) {
      if (input.type === "radio") input.checked = String(value) === input.value;
      else if (input.type === "checkbox") input.checked = (value || []).indexOf(input.value) >= 0;
      else input.value = value === undefined || value === null ? "" : String(value);
    });
  }

  function fillFromQueue(item) {
    var p = item.payload;
    clientUuid = item.client_uuid;
    keptPhotos = item.photos || [];
    if (p.station_code) {
      stationSelect.value = "other";
      stationCode.value = p.station_code;
    } else {
      stationSelect.value = String(p.station);
    }
    chooseChecklist(p.checklist);
    checklistChanged();
    arrived.value = (p.arrived_at || "").slice(11, 16);
    departed.value = (p.departed_at || "").slice(11, 16);
    voters.value = p.voters_so_far === undefined || p.voters_so_far === null ? "" : p.voters_so_far;
    var section = activeSection();
    if (section) {
      // Fill in order, so that conditions open before their dependent questions are filled.
      questions(section).forEach(function (fieldset) {
        applySkipLogic(section);
        fillQuestion(fieldset, p.answers[fieldset.getAttribute("data-code")]);
      });
      applySkipLogic(section);
    }
    var assessment = form.querySelector('input[name=assessment][value="' + p.assessment + '"]');
    if (assessment) assessment.checked = true;
    (p.findings || []).forEach(function (finding, index) {
      var fieldset = addFinding(finding);
      fieldset.setAttribute("data-kept-index", String(index));
      var kept = keptPhotos.filter(function (photo) {
        return photo.finding === index;
      }).length;
      if (kept) {
        var note = fieldset.querySelector(".photo-note");
        note.textContent = "📷 × " + kept;
        note.hidden = false;
      }
    });
    document.getElementById("notes").value = p.notes || "";
    stationChanged();
    submitted = !!item.errors;
    showServerErrors(item.errors);
  }

  function start() {
    var editing = params.get("edit");
    if (editing) {
      return O.queue.get(editing).then(function (item) {
        if (item && item.visit) showStatus(S.stored_visit, "error");
        else if (item) return fillFromQueue(item);
        return startNew();
      });
    }
    return startNew();
  }
  function startNew() {
    var station = params.get("station");
    if (station && stationSelect.querySelector('option[value="' + station + '"]')) {
      stationSelect.value = station;
    }
    // Arrival: now on the mission's clock (the phone's own zone may differ), whatever the day:
    // the form reports election-day times, and a rehearsal the day before reads the same.
    var now = missionNow();
    arrived.value = now.time;
    chooseStage(defaultStage(now));
    checklistChanged();
    stationChanged();
  }

  start();
})();
