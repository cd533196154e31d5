from istio_patch import load
from istio_patch.checks import check

FIRST = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n"
SECOND = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n  namespace: ns\n"


def test_an_object_glued_to_the_one_before_is_reported_where_it_starts() -> None:
    (finding,) = check(load("---\n" + FIRST + "# b\n" + SECOND, source="cm.yaml"), select=["glued-documents"])
    assert str(finding) == (
        "cm.yaml:7:1: [glued-documents] ConfigMap ns/b starts here without a `---` before it, so Kubernetes reads one "
        "object and loses ConfigMap a (line 2); --split-glued inserts the `---`"
    )
    assert (finding.severity, finding.document, finding.pointer) == ("error", 1, "")


def test_its_repeated_root_keys_point_at_split_glued_and_others_at_dedupe_keys() -> None:
    text = FIRST + SECOND.replace("  name: b\n", "  name: b\n  name: c\n")
    messages = [f.message for f in check(load(text), select=["duplicate-keys"])]
    assert messages[0] == (
        "the key 'apiVersion' is repeated at /; Kubernetes keeps the value on line 5 "
        "(objects glued in one document: --split-glued separates them)"
    )
    assert messages[-1] == "the key 'name' is repeated at /metadata; Kubernetes keeps the value on line 9 (--dedupe-keys removes the earlier ones)"


def test_a_document_per_object_passes() -> None:
    assert check(load(FIRST + "---\n" + SECOND), select=["glued-documents"]) == []
    assert check(load(FIRST + "kind: Secret\n"), select=["glued-documents"]) == []  # a repeated key, no new object
