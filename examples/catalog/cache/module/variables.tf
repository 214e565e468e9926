variable "context" {
  description = "Filled in by infraplane: environment, team, tier, owner and component of this deployment."
  type = object({
    environment = string
    team        = string
    tier        = string
    owner       = string
    component   = string
  })
}

variable "region" {
  description = "AWS region"
  type        = string
  default     = "us-east-1"
}

variable "size" {
  description = "Node size: small=cache.t3.micro, medium=cache.t3.medium, large=cache.m5.large"
  type        = string
  default     = "small"

  validation {
    condition     = contains(["small", "medium", "large"], var.size)
    error_message = "size must be one of: small, medium, large."
  }
}

variable "vpc_id" {
  description = "ID of the VPC the security group is created in."
  type        = string
}

variable "subnet_ids" {
  description = "IDs of the private subnets (in at least 2 availability zones) to place the cache in."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) >= 2
    error_message = "subnet_ids needs at least 2 subnets in different availability zones."
  }
}

variable "allowed_cidrs" {
  description = "IPv4 CIDR blocks allowed to connect on port 6379 (/0 is rejected)."
  type        = list(string)
  default     = ["10.0.0.0/8"]

  validation {
    condition     = alltrue([for c in var.allowed_cidrs : can(cidrhost(c, 0)) && !endswith(c, "/0")])
    error_message = "allowed_cidrs must be valid IPv4 CIDR blocks and must not open the port to the whole internet (/0)."
  }
}
