"""ElastiCache fidelity patches for the sandbox cloud (moto 5.2).

Terraform's AWS provider (5.x) cannot create, re-read or destroy an `aws_elasticache_replication_group`
(nor cleanly an `aws_elasticache_cluster` or `aws_elasticache_subnet_group`) against plain moto.
Measured with moto 5.2.5 and provider 5.100.0, and what is patched here:

1. Replication groups have no member clusters. moto lists `MemberClusters` but never creates those
   cache clusters, while the provider reads engine, engine version, security groups, subnet group,
   encryption and maintenance window from the first member through `DescribeCacheClusters`, and fails
   with `CacheClusterNotFound`. -> CreateReplicationGroup creates one cache cluster per member that
   inherits the group's settings; the cluster mode disabled case also honours `NumCacheClusters`
   (moto ignored it and always made a single node) and spreads members over the subnet group's zones.
2. Engine versions are not resolved. moto echoes whatever was sent and nothing when it was omitted,
   so the provider's semantic-version parse fails. -> "7.1" becomes "7.1.0", "6.x" becomes "6.2.6", an
   omitted version the engine's default, as AWS does; the default parameter group
   (`default.redis7`, ...) and a maintenance window are filled in the same way.
3. Cache clusters come back without the members the provider needs. moto's objects have no
   `SecurityGroups` membership list, `CacheParameterGroup`, `CacheNodes` (even with
   `ShowCacheNodeInfo`), `AtRestEncryptionEnabled` or `TransitEncryptionMode`, and valkey clusters have
   no `NumCacheNodes` -> DescribeCacheClusters/CreateCacheCluster/DeleteCacheCluster answer with the
   full `CacheCluster` shape of botocore's model, nodes only when `ShowCacheNodeInfo` is true.
4. Replication groups read back incompletely: no `ReaderEndpoint`, no `TransitEncryptionMode`, no
   `AutoMinorVersionUpgrade`, a malformed default `SnapshotWindow` ("05:00-6:00"). -> filled in.
5. Deletes never complete. moto flags a deleted replication group or cache cluster "deleting" and
   keeps it forever, so the provider's wait-until-gone loops until its 40-minute timeout. -> the
   delete answers "deleting" (as AWS does) and the resource is gone from the next describe on, with its
   member clusters (except a retained primary), its tags, and a final snapshot when one was asked for.
6. `DeleteCacheSubnetGroup` and `ModifyCacheSubnetGroup` are not implemented (moto answers that the
   action is not implemented, so destroy fails). -> implemented, with AWS's `CacheSubnetGroupInUse` refusal.
7. `ModifyReplicationGroup` only understands six parameters and silently drops the rest (security
   groups, maintenance window, engine version, parameter group, snapshot window, transit encryption,
   ...), so a changed argument shows up as a diff again on every plan. -> all are applied, to the group
   and to its member clusters.
8. Tags outlive their resource: moto keeps them keyed by ARN after a delete, so a re-created resource
   with the same name inherits them, and tagging a missing resource succeeds. -> deletes drop the tags,
   and ListTagsForResource / AddTagsToResource / RemoveTagsFromResource answer the not-found fault of
   the ARN's resource type.
9. Subnets in `DescribeCacheSubnetGroups` have an empty `SubnetAvailabilityZone`. -> `Name` filled in.

`apply_elasticache_patches()` installs all of this on moto's backend and response classes, in place,
so every region and account backend (and `POST /moto-api/reset`) sees the patched behaviour.

Where things are: `defaults` (2: what AWS fills in: versions, parameter groups, windows, zones),
`clusters` (3, 5), `members` (what a group's member clusters share with it), `replication_groups`
(1, 4, 5, 7), `subnet_groups` (6, 9), `tags` (8), `responses` (the query API's answers),
`install` (the patching itself) and `originals` (moto's replaced methods, for the patches to call).
"""

from __future__ import annotations

from infraplane.adapters.sandbox.elasticache.defaults import default_parameter_group, resolve_engine_version
from infraplane.adapters.sandbox.elasticache.install import apply_elasticache_patches

__all__ = ["apply_elasticache_patches", "default_parameter_group", "resolve_engine_version"]
