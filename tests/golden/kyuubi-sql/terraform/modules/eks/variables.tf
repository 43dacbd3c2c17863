variable "cluster_name" {
  description = "Name of the EKS cluster (also the name `aws eks get-token --cluster-name` takes)."
  type        = string
}

variable "kubernetes_version" {
  description = "Kubernetes minor version of the control plane, e.g. \"1.30\"; null lets EKS pick its default."
  type        = string
  default     = null
}

variable "vpc_id" {
  description = "ID of the VPC the cluster and its nodes run in."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnet IDs (at least two availability zones) for the control plane ENIs and the nodes."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) >= 2
    error_message = "EKS needs subnets in at least two availability zones: give two or more subnet IDs."
  }
}

variable "endpoint_public_access" {
  description = "Whether the Kubernetes API endpoint is reachable from the internet (needed to apply from outside the VPC)."
  type        = bool
  default     = true
}

variable "node_instance_type" {
  description = "EC2 instance type of the managed node group, e.g. \"m6i.2xlarge\"."
  type        = string
}

variable "node_count" {
  description = "Desired number of nodes in the managed node group."
  type        = number

  validation {
    condition     = var.node_count >= 1
    error_message = "node_count must be at least 1."
  }
}

variable "node_min_size" {
  description = "Minimum number of nodes the node group scales down to."
  type        = number
  default     = 1
}

variable "node_max_size" {
  description = "Maximum number of nodes the node group scales up to; null means node_count."
  type        = number
  default     = null
}

variable "tags" {
  description = "Tags added to every AWS resource the module creates."
  type        = map(string)
  default     = {}
}
