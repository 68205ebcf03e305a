"""Content-hashed copies of a theme's static files: names that follow the bytes,
stylesheets that point at their pictures' and fonts' hashed names."""

from __future__ import annotations

import hashlib
import re

from hypothesis import given
from hypothesis import strategies as st

from generator.assets import fingerprint_assets, hashed_name, links, output_files


def by_path(files: dict[str, bytes]) -> dict[str, tuple[str, bytes]]:
    return {a.path: (a.hashed_path, a.hashed_data) for a in fingerprint_assets(list(files.items()))}


def test_a_hashed_name_is_the_file_name_with_eight_hex_digits_of_its_sha256() -> None:
    tag = hashlib.sha256(b"body{}").hexdigest()[:8]
    assert hashed_name("static/style.css", b"body{}") == f"assets/style.{tag}.css"
    assert hashed_name("static/img/logo.png", b"x").startswith("assets/logo.")
    assert re.fullmatch(r"assets/LICENSE\.[0-9a-f]{8}", hashed_name("static/LICENSE", b"x"))


def test_the_same_bytes_keep_their_name_and_other_bytes_get_another() -> None:
    assert hashed_name("static/a.css", b"x") == hashed_name("static/a.css", b"x")
    assert hashed_name("static/a.css", b"x") != hashed_name("static/a.css", b"y")


def test_url_links_the_hashed_copy_and_both_copies_are_written() -> None:
    assets = fingerprint_assets([("static/style.css", b"p{}")])
    hashed = assets[0].hashed_path
    assert links(assets) == {"/static/style.css": "/" + hashed}
    assert output_files(assets) == {"static/style.css": b"p{}", hashed: b"p{}"}


def test_a_stylesheet_names_the_hashed_copies_of_what_it_references() -> None:
    files = {
        "static/style.css": b"@import 'parts/more.css';\n"
                            b"h1 { background: url(\"img/star.png?v=1#a\") }\n"
                            b"@font-face { src: url(fonts/face.woff2) }\n",
        "static/parts/more.css": b"p { background: url(../img/star.png) }\n",
        "static/img/star.png": b"PNG",
        "static/fonts/face.woff2": b"WOFF",
    }
    found = by_path(files)
    star = found["static/img/star.png"][0].removeprefix("assets/")
    face = found["static/fonts/face.woff2"][0].removeprefix("assets/")
    more = found["static/parts/more.css"][0].removeprefix("assets/")
    css = found["static/style.css"][1].decode()
    assert f"@import '{more}';" in css
    assert f'url("{star}?v=1#a")' in css
    assert f"url({face})" in css
    assert found["static/parts/more.css"][1] == f"p {{ background: url({star}) }}\n".encode()


def test_a_changed_picture_renames_the_stylesheet_that_uses_it() -> None:
    before = by_path({"static/s.css": b"a{b:url(i.png)}", "static/i.png": b"1"})
    after = by_path({"static/s.css": b"a{b:url(i.png)}", "static/i.png": b"2"})
    assert before["static/s.css"][0] != after["static/s.css"][0]


def test_absolute_and_outside_references_are_left_alone_or_reach_the_same_file() -> None:
    css = (b"a{b:url(data:image/png;base64,AAAA)} c{d:url(https://x.org/f.png)}"
           b" e{f:url(/static/g.png)} h{i:url('#j')} k{l:url(../cards/site.png)}"
           b" m{n:url(nothere.png)}")
    out = by_path({"static/s.css": css})["static/s.css"][1].decode()
    assert "url(data:image/png;base64,AAAA)" in out and "url(https://x.org/f.png)" in out
    assert "url(/static/g.png)" in out and "url('#j')" in out
    # assets/ and static/ are both one folder down: "../" + the path from the site root.
    assert "url(../cards/site.png)" in out and "url(../static/nothere.png)" in out


def test_stylesheets_that_import_each_other_still_get_names() -> None:
    found = by_path({"static/a.css": b"@import 'b.css';", "static/b.css": b"@import 'a.css';"})
    a, b = found["static/a.css"], found["static/b.css"]
    assert b[0].removeprefix("assets/").encode() in a[1]
    assert b[1] == b"@import '../static/a.css';"  # the circle goes through a stable name


@given(st.dictionaries(
    st.from_regex(r"static/([a-z]{1,3}/)?[a-z]{1,4}\.(css|png|txt)", fullmatch=True),
    st.binary(max_size=60), max_size=8))
def test_any_set_of_files_gets_one_distinct_hashed_copy_each(files: dict[str, bytes]) -> None:
    assets = fingerprint_assets(list(files.items()))
    assert sorted(a.path for a in assets) == sorted(files)
    for asset in assets:
        assert asset.hashed_path.startswith("assets/") and "/" not in asset.hashed_path[7:]
        if not asset.path.endswith(".css"):
            assert asset.hashed_data == files[asset.path]
    names = {}
    for asset in assets:  # one name, one content
        assert names.setdefault(asset.hashed_path, asset.hashed_data) == asset.hashed_data
