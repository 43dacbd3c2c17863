variable "name" {
  description = "Name (prefix) of the IAM role and its policy."
  type        = string
}

variable "oidc_provider_arn" {
  description = "ARN of the EKS cluster's IAM OIDC provider (the eks module's oidc_provider_arn output)."
  type        = string
}

variable "namespace" {
  description = "Kubernetes namespace of the ServiceAccount that may assume the role."
  type        = string
}

variable "service_account" {
  description = "Name of the Kubernetes ServiceAccount Spark's driver and executor pods run as."
  type        = string
  default     = "spark"
}

variable "s3_bucket_names" {
  description = "S3 buckets (names, not ARNs) Spark reads and writes: event logs, warehouse, data. Empty: the role gets no S3 policy."
  type        = list(string)
  default     = []
}

variable "tags" {
  description = "Tags added to the IAM role and policy."
  type        = map(string)
  default     = {}
}
