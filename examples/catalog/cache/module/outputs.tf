output "endpoint" {
  description = "host:port of the primary endpoint (TLS)"
  value       = "${aws_elasticache_replication_group.this.primary_endpoint_address}:${local.port}"
}

output "security_group_id" {
  description = "ID of the security group attached to the cache"
  value       = aws_security_group.this.id
}

output "cluster_id" {
  description = "ID of the primary node's cache cluster (CloudWatch's CacheClusterId)"
  value       = try(sort(tolist(aws_elasticache_replication_group.this.member_clusters))[0], null)
}
