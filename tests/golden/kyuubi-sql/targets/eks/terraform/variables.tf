# Rendered by stackctl from stack "kyuubi-sql", target "eks".
# Do not edit: change the stack file and run `stackctl render` again.

variable "namespace" {
  description = "Kubernetes namespace the stack runs in."
  type        = string
  default     = "sql"
}

variable "region" {
  description = "AWS region of the cluster."
  type        = string
  default     = "eu-west-1"
}

variable "cluster_name" {
  description = "Name of the EKS cluster."
  type        = string
  default     = "sql-platform"
}

variable "kubernetes_version" {
  description = "Kubernetes minor version of the control plane; null lets EKS choose."
  type        = string
  default     = "1.30"
}

variable "node_instance_type" {
  description = "EC2 instance type of the managed node group."
  type        = string
  default     = "r6i.2xlarge"
}

variable "node_count" {
  description = "Number of nodes in the managed node group."
  type        = number
  default     = 4
}

variable "vpc_id" {
  description = "ID of the VPC for the cluster. Not in the stack file: set it in terraform.tfvars."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnet IDs (two or more availability zones). Not in the stack file: set them in terraform.tfvars."
  type        = list(string)
}

variable "s3_bucket_names" {
  description = "S3 buckets Spark's IAM role may read and write (from the stack's s3a:// locations)."
  type        = list(string)
  default     = []
}

variable "spark_service_account" {
  description = "Kubernetes ServiceAccount of Spark's pods, which assumes the IAM role."
  type        = string
  default     = "spark"
}

variable "spark_env" {
  description = "spark.env values kept in Vault, by environment variable name: SPARK_EXECUTOR_INSTANCES (required: SPARK_EXECUTOR_INSTANCES). Set them with TF_VAR_spark_env or an untracked *.auto.tfvars file; never commit them."
  type        = map(string)
  sensitive   = true

  validation {
    condition     = length(setsubtract(["SPARK_EXECUTOR_INSTANCES"], keys(var.spark_env))) == 0
    error_message = "spark_env must set every required key: SPARK_EXECUTOR_INSTANCES."
  }

  validation {
    condition     = length(setsubtract(keys(var.spark_env), ["SPARK_EXECUTOR_INSTANCES"])) == 0
    error_message = "spark_env may only set the stack's spark.env keys kept in Vault: SPARK_EXECUTOR_INSTANCES."
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
