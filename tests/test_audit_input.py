"""Audit input parsing: every line becomes exactly one row; only unusable inputs raise."""

from __future__ import annotations

import gzip

import pytest

from checker.audit.inputs import InputError, InputSource, check_url, detect_kind, site_of


def rows_of(path):
    return list(InputSource(path).rows())


@pytest.mark.parametrize(
    "raw, error",
    [
        ("", "empty"),
        ("   ", "empty"),
        ("ftp://clinic.example/", "unsupported scheme 'ftp'"),
        ("javascript:alert(1)", "unsupported scheme 'javascript'"),
        ("clinic.example/stem-cells", "no scheme"),
        ("http://exa mple.example/", "malformed URL"),
        ("http:/clinic.example", "no host"),
        ("https://clinic.example:99999/", "malformed URL"),
        ("https://-bad-.example/", "bad host name"),
        ("http://[::1", "malformed URL"),
    ],
)
def test_bad_urls_say_why(raw, error):
    checked = check_url(raw)
    assert checked.url is None
    assert error in checked.error


def test_good_url_is_normalised_for_duplicates():
    a = check_url("\ufeff  HTTPS://WWW.Clinic.Example:443/Stem#top\r")
    b = check_url("https://www.clinic.example/Stem")
    assert a.error == "" and a.key == b.key
    assert a.url == "https://WWW.Clinic.Example:443/Stem"
    assert site_of(a.url) == "clinic.example"
    assert site_of("http://127.0.0.1:8080/x") == "127.0.0.1:8080"


def test_text_list_keeps_every_line_in_order(tmp_path):
    path = tmp_path / "urls.txt"
    path.write_bytes(
        b"\xef\xbb\xbfhttps://a.example/\r\n# a comment\r\n\r\nnot a url\r\n"
        b"ftp://b.example/\r\nhttps://a.example/#again\r\n\xef\xbb\xbfhttps://c.example/x\n"
    )
    rows = rows_of(path)
    assert [r.rowno for r in rows] == [1, 3, 4, 5, 6, 7]  # the comment is not a row
    assert rows[0].url == "https://a.example/" and rows[0].error == ""
    assert rows[1].error == "empty line"
    assert "malformed" in rows[2].error and "scheme" in rows[3].error
    assert rows[4].key == rows[0].key  # duplicate detection happens in the state
    assert rows[5].url == "https://c.example/x" and rows[5].raw == "https://c.example/x"


def test_csv_carries_columns_and_keeps_bad_cells(tmp_path):
    path = tmp_path / "clinics.csv"
    path.write_text(
        "\ufeffClinic_ID,clinic_name,URL,jurisdiction,notes\r\n"
        'C1,Alpha Clinic,https://alpha.example/,US-TX,"has, comma"\r\n'
        "C2,Beta Clinic,,UK,\r\n"
        "C3,Gamma,gopher://gamma.example/\r\n"
        "\r\n"
        'C4,"Delta\nTwo lines",https://delta.example/,AU,x\r\n',
        encoding="utf-8",
        newline="",
    )
    source = InputSource(path)
    assert source.kind == "csv"
    assert source.columns == ("clinic_id", "clinic_name", "jurisdiction", "notes")
    rows = list(source.rows())
    assert [r.rowno for r in rows] == [2, 3, 4, 5, 6]
    assert rows[0].extra == {
        "clinic_id": "C1",
        "clinic_name": "Alpha Clinic",
        "jurisdiction": "US-TX",
        "notes": "has, comma",
    }
    assert rows[1].error == "empty url cell" and rows[1].extra["clinic_id"] == "C2"
    assert "scheme" in rows[2].error and rows[2].extra["jurisdiction"] == ""
    assert rows[3].error == "empty line"
    assert rows[4].url == "https://delta.example/"
    assert rows[4].extra["clinic_name"] == "Delta\nTwo lines"


def test_csv_with_semicolons(tmp_path):
    path = tmp_path / "eu.csv"
    path.write_text("name;url\nKlinik;https://klinik.example/\n", encoding="utf-8")
    rows = rows_of(path)
    assert rows[0].url == "https://klinik.example/" and rows[0].extra == {"name": "Klinik"}


def test_csv_unbalanced_quote_is_reported_not_lost(tmp_path):
    path = tmp_path / "broken.csv"
    path.write_text('url,name\n"https://a.example/,A\nhttps://b.example/,B\n', encoding="utf-8")
    rows = rows_of(path)
    assert len(rows) == 1 and "spanning lines 2-3" in rows[0].error


def test_csv_without_url_column_is_unusable(tmp_path):
    path = tmp_path / "no_url.csv"
    path.write_text("clinic,website\nA,https://a.example/\n", encoding="utf-8")
    with pytest.raises(InputError, match="no 'url' column"):
        InputSource(path)


def test_missing_input_and_unreadable_warc(tmp_path):
    with pytest.raises(InputError, match="not found"):
        InputSource(tmp_path / "nope.txt")
    bad = tmp_path / "bad.warc.gz"
    bad.write_bytes(gzip.compress(b"this is not a WARC record\r\n\r\n"))
    with pytest.raises(InputError, match="unreadable WARC"):
        InputSource(bad)


def test_folder_rows_and_sites(tmp_path):
    (tmp_path / "alpha").mkdir()
    (tmp_path / "alpha" / "index.html").write_text("<p>a</p>")
    (tmp_path / "alpha" / "faq.HTM").write_text("<p>b</p>")
    (tmp_path / "loose.html").write_text("<p>c</p>")
    (tmp_path / "notes.txt").write_text("ignored")
    source = InputSource(tmp_path)
    assert detect_kind(tmp_path) == "folder"
    rows = list(source.rows())
    assert [r.site for r in rows] == ["alpha", "alpha", "loose.html"]
    assert rows[0].url.endswith("alpha/faq.HTM")
    before = source.fingerprint()
    (tmp_path / "alpha" / "index.html").write_text("<p>changed</p>")
    assert source.fingerprint() != before
