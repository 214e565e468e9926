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

variable "fifo" {
  description = "Create FIFO queues (exactly-once, ordered; names end in .fifo)."
  type        = bool
  default     = false
}

variable "retention_days" {
  description = "How many days a message is kept in the queue (1-14)."
  type        = number
  default     = 4

  validation {
    condition     = var.retention_days >= 1 && var.retention_days <= 14 && floor(var.retention_days) == var.retention_days
    error_message = "retention_days must be a whole number between 1 and 14."
  }
}

variable "visibility_timeout_seconds" {
  description = "Seconds a received message stays hidden from other workers (0-43200); set above the job's run time."
  type        = number
  default     = 30

  validation {
    condition     = var.visibility_timeout_seconds >= 0 && var.visibility_timeout_seconds <= 43200 && floor(var.visibility_timeout_seconds) == var.visibility_timeout_seconds
    error_message = "visibility_timeout_seconds must be a whole number between 0 and 43200."
  }
}
