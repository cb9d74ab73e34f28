namespace Sluice.Api;

public enum ConfigKind
{
    Upstream,
    VirtualService,
}
