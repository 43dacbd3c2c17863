# Rendered by stackctl from stack "custom-app", target "minikube".
# Do not edit: change the stack file and run `stackctl render` again.

variable "namespace" {
  description = "Kubernetes namespace the stack runs in."
  type        = string
  default     = "analytics"
}

variable "kubeconfig_path" {
  description = "Path of the kubeconfig that holds the minikube context."
  type        = string
  default     = "~/.kube/config"
}

variable "kube_context" {
  description = "kubeconfig context of the cluster (the stack target's context)."
  type        = string
  default     = "minikube"
}
