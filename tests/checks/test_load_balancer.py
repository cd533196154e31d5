from istio_patch import load
from istio_patch.checks import check

LB = "kind: Service\nmetadata: {name: gw, namespace: istio-system}\nspec:\n  type: LoadBalancer\n"


def test_a_load_balancer_on_bare_metal_is_reported() -> None:
    (finding,) = check(load(LB, source="s.yaml"), bare_metal=True)
    assert str(finding) == (
        "s.yaml:4:3: [load-balancer] Service istio-system/gw is type LoadBalancer: on bare metal nothing will give it an "
        "external address (use --node-port or --preset bare-metal)"
    )


def test_only_on_bare_metal_and_only_for_load_balancers() -> None:
    assert check(load(LB)) == []
    assert check(load(LB.replace("LoadBalancer", "NodePort")), bare_metal=True) == []
