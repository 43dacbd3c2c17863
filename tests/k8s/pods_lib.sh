# Staging pods on the harness apiserver (no kubelet): a rendered workload's pod template as a bare
# pod, and its status written through .../pods/NAME/status as kwok does. Sourced by the k8s tests;
# needs K (kubectl with the harness kubeconfig) and W (a scratch folder).

# pod_from DEPLOYMENT_FILE POD_NAME IMAGE: the Deployment's pod template as a bare pod running IMAGE.
pod_from() {
  K create --dry-run=client -o json -f "$1" > "$W/deploy.json"
  python3 - "$W/deploy.json" "$2" "$3" <<'PY' | K create -f - >/dev/null
import json, sys
d = json.load(open(sys.argv[1])); t = d["spec"]["template"]
t["spec"]["containers"][0]["image"] = sys.argv[3]
# A scheduler that does not exist leaves it alone (a pod bound to a node that does not exist
# is deleted by the pod garbage collector).
t["spec"]["schedulerName"] = "stackctl-test-none"
print(json.dumps({"apiVersion": "v1", "kind": "Pod",
                  "metadata": {"name": sys.argv[2], "namespace": d["metadata"]["namespace"],
                               "labels": t["metadata"]["labels"]},
                  "spec": t["spec"]}))
PY
}

# image_of DEPLOYMENT_FILE: the image of its pod template's first container.
image_of() { K create --dry-run=client -o jsonpath='{.spec.template.spec.containers[0].image}' -f "$1"; }

# running NS POD DIGEST: the pod's status as a kubelet writes it for a pod whose containers all
# run and are ready, each container's imageID the pulled digest (REPOSITORY@DIGEST).
running() {
  K get --raw "/api/v1/namespaces/$1/pods/$2" > "$W/pod.json"
  python3 - "$W/pod.json" "$3" > "$W/pod-status.json" <<'PY'
import json, sys
pod = json.load(open(sys.argv[1])); digest = sys.argv[2]
statuses = []
for c in pod["spec"]["containers"]:
    repo = c["image"].split("@")[0]  # REPOSITORY[:TAG]: the tag off (a port's colon stays)
    if ":" in repo.rsplit("/", 1)[-1]:
        repo = repo.rsplit(":", 1)[0]
    statuses.append({"name": c["name"], "ready": True, "restartCount": 0, "image": c["image"],
                     "imageID": f"{repo}@{digest}", "started": True,
                     "state": {"running": {"startedAt": "2026-12-01T10:00:00Z"}}})
pod["status"] = {"phase": "Running", "podIP": "10.0.0.9",
                 "conditions": [{"type": "PodScheduled", "status": "True"},
                                {"type": "Ready", "status": "True"}],
                 "containerStatuses": statuses}
print(json.dumps(pod))
PY
  K replace --raw "/api/v1/namespaces/$1/pods/$2/status" -f "$W/pod-status.json" >/dev/null
}
