output "arn" {
  description = "ARN of the IAM role; annotate the ServiceAccount with eks.amazonaws.com/role-arn set to it."
  value       = module.irsa.arn
}

output "name" {
  description = "Name of the IAM role."
  value       = module.irsa.name
}
