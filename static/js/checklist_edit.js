/*
 * The checklist editor: move questions up and down, add and remove them, show the fields
 * that matter for the chosen answer type, and offer the codes of earlier questions for a
 * condition. Without this script the same form works with position numbers and checkboxes.
 */
(function () {
  "use strict";
  var form = document.getElementById("checklist-form");
  if (!form) return;
  var list = document.getElementById("question-rows");
  var template = document.getElementById("empty-row");
  var total = form.querySelector('input[name$="-TOTAL_FORMS"]');
  var datalist = document.getElementById("question-codes");

  function rows() {
    return Array.prototype.slice.call(list.querySelectorAll("li[data-row]"));
  }
  function field(row, name) {
    return row.querySelector('[name$="-' + name + '"]');
  }

  function typeChanged(row) {
    var type = field(row, "type").value;
    var choices = row.querySelector(".for-choices");
    var integer = row.querySelector(".for-integer");
    choices.hidden = !(type === "CHOICE" || type === "MULTI_CHOICE");
    integer.hidden = type !== "INTEGER";
  }

  function conditionHint(row) {
    var target = field(row, "show_if_question").value.trim();
    var equals = field(row, "show_if_equals");
    var hint = "";
    rows().forEach(function (other) {
      if (other === row || field(other, "code").value.trim() !== target) return;
      var type = field(other, "type").value;
      if (type === "YES_NO") hint = "yes / no";
      else if (type === "INTEGER") hint = "0";
      else if (type === "CHOICE") {
        hint = field(other, "choices").value
          .split("\n")
          .map(function (line) {
            return line.split("|")[0].trim();
          })
          .filter(Boolean)
          .join(" / ");
      }
    });
    equals.placeholder = hint;
  }

  function renumber() {
    var codes = [];
    var position = 0;
    datalist.textContent = "";
    rows().forEach(function (row) {
      var deleted = field(row, "DELETE").checked;
      row.classList.toggle("deleted", deleted);
      if (!deleted) position += 1;
      field(row, "ORDER").value = deleted ? "" : String(position);
      row.querySelector(".row-number").textContent = deleted ? "–" : String(position);
      var code = field(row, "code").value.trim();
      if (code && !deleted) codes.push(code);
    });
    codes.forEach(function (code) {
      var option = document.createElement("option");
      option.value = code;
      datalist.appendChild(option);
    });
    rows().forEach(conditionHint);
  }

  /* "Not translated yet into: Arabic, French": the mission's languages whose text field is
     empty while the English text is written (the server warns again after saving). */
  function missingNote(row) {
    var note = row.querySelector("[data-missing-note]");
    if (!note) return;
    var english = field(row, "text").value.trim();
    var missing = [];
    row.querySelectorAll(".translations > .grid2 label[data-language]").forEach(function (label) {
      var input = label.querySelector("input");
      if (input && !input.value.trim()) missing.push(label.firstChild.textContent.trim());
    });
    note.querySelector("[data-missing-list]").textContent = missing.join(", ");
    note.hidden = !english || missing.length === 0;
  }

  function wire(row) {
    row.querySelector(".row-tools").hidden = false;
    row.querySelector(".order-field").hidden = true;
    row.querySelector(".delete-field").hidden = true;
    typeChanged(row);
    field(row, "type").addEventListener("change", function () {
      typeChanged(row);
      renumber();
    });
    row.querySelector(".move-up").addEventListener("click", function () {
      var previous = row.previousElementSibling;
      if (previous) list.insertBefore(row, previous);
      renumber();
    });
    row.querySelector(".move-down").addEventListener("click", function () {
      var next = row.nextElementSibling;
      if (next) list.insertBefore(next, row);
      renumber();
    });
    var remove = row.querySelector(".remove-row");
    remove.addEventListener("click", function () {
      var box = field(row, "DELETE");
      box.checked = !box.checked;
      remove.textContent = box.checked ? remove.getAttribute("data-undo") : remove.getAttribute("data-remove");
      renumber();
    });
    ["code", "show_if_question", "choices"].forEach(function (name) {
      field(row, name).addEventListener("input", renumber);
    });
    row.querySelectorAll('input[name$="-text"], .translations input').forEach(function (input) {
      input.addEventListener("input", function () {
        missingNote(row);
      });
    });
    missingNote(row);
  }

  // Rows come back from the server in form order; show them in their saved positions.
  rows()
    .map(function (row, index) {
      var value = parseInt(field(row, "ORDER").value, 10);
      return { row: row, key: isNaN(value) ? 100000 + index : value };
    })
    .sort(function (a, b) {
      return a.key - b.key;
    })
    .forEach(function (entry) {
      list.appendChild(entry.row);
    });
  // An untouched blank row is only for adding without the script: drop it.
  rows().forEach(function (row) {
    var index = Number(field(row, "code").name.split("-")[1]);
    var initial = Number(form.querySelector('input[name$="-INITIAL_FORMS"]').value);
    var blank = !field(row, "code").value && !field(row, "text").value;
    if (index >= initial && blank && index === Number(total.value) - 1 && !row.classList.contains("invalid")) {
      row.remove();
      total.value = String(index);
    }
  });
  rows().forEach(wire);

  var add = document.getElementById("add-question");
  add.hidden = false;
  add.addEventListener("click", function () {
    var index = Number(total.value);
    var holder = document.createElement("div");
    holder.innerHTML = template.innerHTML.replace(/__prefix__/g, String(index));
    var row = holder.querySelector("li[data-row]");
    list.appendChild(row);
    total.value = String(index + 1);
    wire(row);
    renumber();
    field(row, "code").focus();
  });
  renumber();
})();
