# Rendered by stackctl from stack "kyuubi-sql", target "minikube".
# Do not edit: change the stack file and run `stackctl render` again.

variable "namespace" {
  description = "Kubernetes namespace the stack runs in."
  type        = string
  default     = "sql"
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

variable "spark_env" {
  description = "spark.env values kept in Vault, by environment variable name: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, SPARK_EXECUTOR_INSTANCES (required: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, SPARK_EXECUTOR_INSTANCES). Set them with TF_VAR_spark_env or an untracked *.auto.tfvars file; never commit them."
  type        = map(string)
  sensitive   = true

  validation {
    condition     = length(setsubtract(["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "SPARK_EXECUTOR_INSTANCES"], keys(var.spark_env))) == 0
    error_message = "spark_env must set every required key: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, SPARK_EXECUTOR_INSTANCES."
  }

  validation {
    condition     = length(setsubtract(keys(var.spark_env), ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "SPARK_EXECUTOR_INSTANCES"])) == 0
    error_message = "spark_env may only set the stack's spark.env keys kept in Vault: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, SPARK_EXECUTOR_INSTANCES."
  }
}

variable "manage_spark_env_secret" {
  description = "Whether Terraform also writes the spark.env Secret. Off: the Secret stackctl renders from Vault (kubernetes/31-secret-*.yaml) carries the values and `stackctl deploy` applies it."
  type        = bool
  default     = false
}

variable "spark_env_secret_name" {
  description = "Name of the spark.env Secret when manage_spark_env_secret is on (the name the rendered manifests use)."
  type        = string
  default     = "kyuubi-sql-spark-env"
}

variable "create_vault_mounts" {
  description = "KV v2 mounts to create, e.g. [\"secret\"]; mounts not listed must already exist."
  type        = list(string)
  default     = []
}
