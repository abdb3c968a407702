from site_builder.model.loader import read_document


def test_duplicate_keys_found_at_any_depth() -> None:
    text = b"a: 1\nb:\n  - c: 1\n    c: 2\n"
    document = read_document("x.yaml", text)
    assert document.data is None
    assert [str(p) for p in document.problems] == ["x.yaml:4:5: c: 字段重复出现，同一字段只能写一次"]


def test_dates_stay_text_for_the_schema_to_judge() -> None:
    document = read_document("x.yaml", b"start: 2027-02-30\n")
    assert document.problems == []
    assert document.data == {"start": "2027-02-30"}


def test_locate_points_at_keys_and_items() -> None:
    document = read_document("x.yaml", b"top: 1\nlist:\n  - name: a\n  - name: b\n")
    assert document.locate(("list", 1, "name")) == (4, 5)
    assert document.locate(("list", 1)) == (4, 5)
    assert document.locate(("missing",)) == (1, 1)


def test_byte_order_mark_is_accepted() -> None:
    document = read_document("x.yaml", "\ufefftitle: 见习\n".encode())
    assert document.data == {"title": "见习"}
