output "endpoint" {
  description = "host:port of the primary"
  value       = "${aws_db_instance.this.address}:${aws_db_instance.this.port}"
}

output "password_secret_arn" {
  description = "ARN of the Secrets Manager secret holding username, password, host, port and dbname (JSON)"
  value       = aws_secretsmanager_secret.master.arn
}

output "security_group_id" {
  description = "ID of the security group attached to the instance"
  value       = aws_security_group.this.id
}

output "db_name" {
  description = "Name of the database created on the instance"
  value       = aws_db_instance.this.db_name
}

output "instance_id" {
  description = "RDS instance identifier (CloudWatch's DBInstanceIdentifier)"
  value       = aws_db_instance.this.identifier
}
