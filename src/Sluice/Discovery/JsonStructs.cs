using System.Text.Json;
using Sluice.Api;

namespace Sluice.Discovery;

/// <summary>Function specs and properties built in code, as the <see cref="Struct"/>s the config carries.</summary>
internal static class JsonStructs
{
    public static Struct From<T>(T value) => new(JsonSerializer.SerializeToElement(value));

    public static Struct From(System.Text.Json.Nodes.JsonObject value) => new(JsonSerializer.SerializeToElement(value));
}
