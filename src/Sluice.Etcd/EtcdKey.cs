using Sluice.Api;

namespace Sluice.Etcd;

/// <summary>A key under the prefix, taken apart: its class, the object kind (objects and statuses) and the name or ref.</summary>
internal readonly record struct EtcdKey(EtcdKeyClass Class, ConfigKind Kind, string Name);
