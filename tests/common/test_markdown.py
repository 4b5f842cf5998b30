"""A briefing's summary: Markdown in, HTML that cannot run anything out."""

from common.markdown import markdown_html


def test_markdown_becomes_the_tags_of_a_statement():
    html = markdown_html(
        "# Key messages\n\n- **Calm** voting\n- _Counting_ was [slow](https://x.org)"
    )

    assert "<h1>Key messages</h1>" in html
    assert "<li><strong>Calm</strong> voting</li>" in html
    assert "<em>Counting</em>" in html
    assert 'href="https://x.org"' in html and 'rel="noopener noreferrer nofollow"' in html


def test_html_in_the_markdown_cannot_run():
    html = markdown_html(
        '<script>alert(1)</script><img src=x onerror="alert(2)">\n\n'
        "[click](javascript:alert(3)) <b onclick='x()'>bold</b>"
    )

    assert "<script" not in html and "alert(1)" not in html
    assert "onerror" not in html and "<img" not in html
    assert "javascript:" not in html
    assert "onclick" not in html


def test_empty_text_is_no_html():
    assert markdown_html("") == ""
    assert markdown_html("   \n") == ""
