# Rendered by stackctl from stack "spark-connect", target "eks".
# Do not edit: change the stack file and run `stackctl render` again.

variable "namespace" {
  description = "Kubernetes namespace the stack runs in."
  type        = string
  default     = "spark"
}

variable "region" {
  description = "AWS region of the cluster."
  type        = string
  default     = "eu-west-1"
}

variable "cluster_name" {
  description = "Name of the EKS cluster."
  type        = string
  default     = "data-platform"
}

variable "kubernetes_version" {
  description = "Kubernetes minor version of the control plane; null lets EKS choose."
  type        = string
  default     = "1.30"
}

variable "node_instance_type" {
  description = "EC2 instance type of the managed node group."
  type        = string
  default     = "m6i.2xlarge"
}

variable "node_count" {
  description = "Number of nodes in the managed node group."
  type        = number
  default     = 3
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
