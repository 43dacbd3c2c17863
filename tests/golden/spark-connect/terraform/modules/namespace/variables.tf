variable "name" {
  description = "Name of the namespace (a DNS-1123 label)."
  type        = string
}

variable "labels" {
  description = "Labels put on the namespace and on the spark.env Secret."
  type        = map(string)
  default     = {}
}

variable "create_spark_env_secret" {
  description = "Whether to manage the spark.env Secret in the namespace."
  type        = bool
  default     = false
}

variable "spark_env_secret_name" {
  description = "Name of the Secret holding spark.env (one key per environment variable)."
  type        = string
  default     = "spark-env"
}

variable "spark_env" {
  description = "spark.env values: environment variable name => value. Stored in the Secret (and in the Terraform state)."
  type        = map(string)
  sensitive   = true
  default     = {}
}
