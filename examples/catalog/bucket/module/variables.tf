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

variable "name_suffix" {
  description = "Optional suffix appended to the bucket name (lowercase letters, digits, hyphens) to make it globally unique."
  type        = string
  default     = ""

  validation {
    condition     = can(regex("^[a-z0-9-]*$", var.name_suffix))
    error_message = "name_suffix may only contain lowercase letters, digits and hyphens."
  }
}

variable "versioning" {
  description = "Keep every version of every object (Enabled); false suspends versioning."
  type        = bool
  default     = true
}

variable "kms_key_arn" {
  description = "ARN of a KMS key for SSE-KMS encryption; empty uses SSE-S3 (AES256)."
  type        = string
  default     = ""

  validation {
    condition     = var.kms_key_arn == "" || can(regex("^arn:aws[a-z-]*:kms:", var.kms_key_arn))
    error_message = "kms_key_arn must be empty or a KMS key ARN."
  }
}
