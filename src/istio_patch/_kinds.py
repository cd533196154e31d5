"""Kinds by the names people type, and what Kubernetes knows of them without asking a cluster.

``deploy``, ``deployments``, ``Deployment`` and kubectl's ``deployment.apps`` (what ``kubectl get -o name``
prints) all name the kind ``Deployment``. Which built-in kinds are cluster-scoped is fixed by Kubernetes;
custom kinds say so in their CustomResourceDefinition.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

__all__ = ["KIND_ALIASES", "canonical_kind", "split_ref", "CLUSTER_SCOPED"]

# kubectl's short names, singular and plural spellings, lower-case, for the kinds this tool meets.
KIND_ALIASES: Mapping[str, str] = MappingProxyType({
    alias: kind
    for kind, aliases in {
        "Service": ("svc", "service", "services"),
        "Deployment": ("deploy", "deployment", "deployments"),
        "DaemonSet": ("ds", "daemonset", "daemonsets"),
        "StatefulSet": ("sts", "statefulset", "statefulsets"),
        "ReplicaSet": ("rs", "replicaset", "replicasets"),
        "Pod": ("po", "pod", "pods"),
        "Job": ("job", "jobs"),
        "CronJob": ("cj", "cronjob", "cronjobs"),
        "ConfigMap": ("cm", "configmap", "configmaps"),
        "Secret": ("secret", "secrets"),
        "Namespace": ("ns", "namespace", "namespaces"),
        "HorizontalPodAutoscaler": ("hpa", "horizontalpodautoscaler", "horizontalpodautoscalers"),
        "ServiceAccount": ("sa", "serviceaccount", "serviceaccounts"),
        "ReplicationController": ("rc", "replicationcontroller", "replicationcontrollers"),
        "PodDisruptionBudget": ("pdb", "poddisruptionbudget", "poddisruptionbudgets"),
        "CustomResourceDefinition": ("crd", "crds", "customresourcedefinition", "customresourcedefinitions"),
        "ClusterRole": ("clusterrole", "clusterroles"),
        "ClusterRoleBinding": ("clusterrolebinding", "clusterrolebindings"),
        "Role": ("role", "roles"),
        "RoleBinding": ("rolebinding", "rolebindings"),
        "MutatingWebhookConfiguration": ("mutatingwebhookconfiguration", "mutatingwebhookconfigurations"),
        "ValidatingWebhookConfiguration": ("validatingwebhookconfiguration", "validatingwebhookconfigurations"),
        "Ingress": ("ing", "ingress", "ingresses"),
    }.items()
    for alias in aliases
})

# Built-in kinds that live outside namespaces (`kubectl api-resources --namespaced=false`).
CLUSTER_SCOPED: frozenset[str] = frozenset({
    "Namespace",
    "Node",
    "PersistentVolume",
    "ClusterRole",
    "ClusterRoleBinding",
    "CustomResourceDefinition",
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
    "APIService",
    "StorageClass",
    "CSIDriver",
    "CSINode",
    "VolumeAttachment",
    "PriorityClass",
    "PodSecurityPolicy",
    "RuntimeClass",
    "IngressClass",
    "CertificateSigningRequest",
    "FlowSchema",
    "PriorityLevelConfiguration",
    "ComponentStatus",
})


def canonical_kind(text: str) -> str:
    """``svc`` -> ``Service``; ``deployment.apps`` -> ``Deployment``; an unknown spelling is kept (custom kinds)."""
    known = KIND_ALIASES.get(text.lower())
    if known is not None:
        return known
    if "." in text:  # kubectl's resource.group spelling: deployment.apps, horizontalpodautoscaler.autoscaling
        resource = text.split(".", 1)[0]
        return KIND_ALIASES.get(resource.lower(), text)
    return text


def split_ref(text: str) -> tuple[str | None, str, str | None]:
    """kubectl's ``TYPE/NAME`` (or ``TYPE``, or ``NAMESPACE/TYPE/NAME``) as (namespace, kind, name).

    Raises ValueError saying how to write it when ``text`` is none of these.
    """
    if not isinstance(text, str) or not text.strip() or any(not part for part in text.split("/")):
        raise ValueError(f"cannot read the selector {text!r}: write TYPE/NAME, e.g. deploy/istio-pilot")
    parts = text.split("/")
    if len(parts) == 1:
        return None, canonical_kind(parts[0]), ""
    if len(parts) == 2:
        return None, canonical_kind(parts[0]), parts[1]
    if len(parts) == 3:
        return parts[0], canonical_kind(parts[1]), parts[2]
    raise ValueError(f"cannot read the selector {text!r}: write TYPE/NAME, e.g. deploy/istio-pilot")
