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

variable "cidr" {
  description = "IPv4 CIDR block of the VPC (/16 to /24)."
  type        = string
  default     = "10.0.0.0/16"

  validation {
    condition     = can(cidrhost(var.cidr, 0)) && can(regex("/(1[6-9]|2[0-4])$", var.cidr))
    error_message = "cidr must be a valid IPv4 CIDR block with a prefix length between /16 and /24."
  }
}

variable "az_count" {
  description = "Number of availability zones to spread the subnets over (2 or 3)."
  type        = number
  default     = 2

  validation {
    condition     = contains([2, 3], var.az_count)
    error_message = "az_count must be 2 or 3."
  }
}
