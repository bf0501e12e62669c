"""HTML from outside keeps its formatting and loses what runs or tracks; in mail from
outside, remote images are not loaded by whoever opens it."""

from balcao.core.html import sanitize_html

MAIL = (
    '<p onclick="x()">Olá<script>alert(1)</script></p>'
    '<img src="https://cdn.loja.example/banner.png" alt="Banner">'
    '<img src="https://track.example/o.gif?u=42" width="1" height="1">'
    '<img src="https://cdn.loja.example/fotos/tela.png">'
    '<img src="cid:tela@loja">'
)


def test_scripts_and_handlers_are_removed():
    clean = sanitize_html(MAIL)
    assert "<script" not in clean and "onclick" not in clean and "<p>Olá</p>" in clean


def test_remote_images_stay_where_staff_authored_them():
    assert '<img src="https://cdn.loja.example/banner.png"' in sanitize_html(MAIL)


def test_remote_images_of_mail_become_links_and_tracking_pixels_vanish():
    clean = sanitize_html(MAIL, remote_images=False)
    assert "https://" not in clean.replace('href="https://', "")
    assert (
        '<a href="https://cdn.loja.example/banner.png" rel="noopener noreferrer nofollow">[Banner]</a>'
        in clean
    )
    assert ">[tela.png]</a>" in clean
    assert "track.example" not in clean


def test_images_of_the_message_itself_are_kept():
    assert '<img src="cid:tela@loja">' in sanitize_html(MAIL, remote_images=False)


def test_alt_text_cannot_inject_markup():
    clean = sanitize_html(
        '<img src="https://x.example/a.png" alt="<b>x</b>&quot;">', remote_images=False
    )
    assert "<b>" not in clean and "[&lt;b&gt;x&lt;/b&gt;&quot;]" in clean


def test_elements_nested_too_deep_lose_their_tags_not_their_text():
    from balcao.core.html import shallow

    assert shallow("<div>" * 3 + "x" + "</div>" * 3, 2) == "<div><div>x</div></div>"
    # void elements and those whose end tag is implied do not nest
    flat = '<div title="a">' + "<p>x<br><img src=a.png/>" * 5 + "</div>"
    assert shallow(flat, 2) == flat
    deep = "<blockquote>" * 3 + "<b>old</b>" + "</blockquote>" * 3
    assert shallow(deep, 2) == "<blockquote><blockquote>old</blockquote></blockquote>"
    assert shallow("<i>" * 5, 10) == "<i>" * 5  # fewer tags than the limit: not even read
    # the first pass may count too deep, never too shallow: end tags of elements that do not
    # nest close nothing there either
    hidden = "<div>" * 3 + "</p>" * 3 + "<div>" * 3 + "x"
    assert shallow(hidden, 4) == "<div>" * 3 + "</p>" * 3 + "<div>x"
    assert shallow("<div>" + "<br>" * 10 + "</div>", 4) == "<div>" + "<br>" * 10 + "</div>"
