using Google.Api;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;

namespace Sluice.Plugins.Grpc;

/// <summary>
/// Turns a serialized <c>FileDescriptorSet</c> (from discovery, or <c>protoc --descriptor_set_out
/// --include_imports</c>) into linked <see cref="FileDescriptor"/>s with the <c>google.api.http</c>
/// option readable. The well-known types and Google's HTTP annotations are added from the
/// runtime's own copies when the set lacks them (Gloo injected <c>http.proto</c> the same way), so
/// a set built without <c>--include_imports</c> for those alone still loads; any other missing
/// import is an error naming the file that needs it.
/// </summary>
internal static class DescriptorSetLoader
{
    /// <summary>Files the runtime carries, by proto path.</summary>
    private static readonly IReadOnlyDictionary<string, FileDescriptor> Bundled = new[]
    {
        AnyReflection.Descriptor, ApiReflection.Descriptor, DurationReflection.Descriptor, EmptyReflection.Descriptor,
        FieldMaskReflection.Descriptor, SourceContextReflection.Descriptor, StructReflection.Descriptor,
        TimestampReflection.Descriptor, TypeReflection.Descriptor, WrappersReflection.Descriptor,
        DescriptorReflection.Descriptor, AnnotationsReflection.Descriptor, HttpReflection.Descriptor,
        global::Google.Rpc.StatusReflection.Descriptor, global::Google.Rpc.ErrorDetailsReflection.Descriptor,
    }.ToDictionary(f => f.Name, StringComparer.Ordinal);

    /// <summary>The linked files, or null with the reasons in <paramref name="errors"/>.</summary>
    public static IReadOnlyList<FileDescriptor>? Load(ReadOnlyMemory<byte> bytes, string fileRef, List<string> errors)
    {
        FileDescriptorSet set;
        try
        {
            set = FileDescriptorSet.Parser.ParseFrom(bytes.Span);
        }
        catch (InvalidProtocolBufferException e)
        {
            errors.Add($"file '{fileRef}' is not a serialized FileDescriptorSet: {e.Message}");
            return null;
        }
        if (set.File.Count == 0)
        {
            errors.Add($"file '{fileRef}' holds no file descriptors");
            return null;
        }

        var byName = new Dictionary<string, ByteString>(StringComparer.Ordinal);
        var dependencies = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var file in set.File)
        {
            if (!byName.TryAdd(file.Name, file.ToByteString()))
            {
                errors.Add($"file '{fileRef}' defines '{file.Name}' twice");
                continue;
            }
            dependencies[file.Name] = [.. file.Dependency];
        }
        foreach (var file in set.File)
        {
            foreach (var import in file.Dependency)
            {
                if (byName.ContainsKey(import))
                {
                    continue;
                }
                if (Bundled.TryGetValue(import, out var bundled))
                {
                    AddBundled(bundled, byName, dependencies);
                    continue;
                }
                errors.Add($"'{file.Name}' imports '{import}', which file '{fileRef}' does not contain (write the set with protoc --include_imports)");
            }
        }
        // The http option must be readable even when no file of the set imports annotations.proto.
        AddBundled(HttpReflection.Descriptor, byName, dependencies);
        if (errors.Count > 0)
        {
            return null;
        }

        var ordered = new List<ByteString>(byName.Count);
        var done = new HashSet<string>(StringComparer.Ordinal);
        var visiting = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in byName.Keys.Order(StringComparer.Ordinal))
        {
            if (!Visit(name, byName, dependencies, done, visiting, ordered, errors))
            {
                return null;
            }
        }
        try
        {
            var registry = new ExtensionRegistry { AnnotationsExtensions.Http };
            return FileDescriptor.BuildFromByteStrings(ordered, registry);
        }
        catch (Exception e) when (e is DescriptorValidationException or InvalidProtocolBufferException or ArgumentException)
        {
            errors.Add($"file '{fileRef}': the descriptors do not link: {e.Message}");
            return null;
        }
    }

    private static void AddBundled(FileDescriptor file, Dictionary<string, ByteString> byName, Dictionary<string, IReadOnlyList<string>> dependencies)
    {
        if (!byName.TryAdd(file.Name, file.SerializedData))
        {
            return;
        }
        dependencies[file.Name] = [.. file.Dependencies.Select(d => d.Name)];
        foreach (var dependency in file.Dependencies)
        {
            AddBundled(dependency, byName, dependencies);
        }
    }

    /// <summary>Dependencies first, as <see cref="FileDescriptor.BuildFromByteStrings(IEnumerable{ByteString}, ExtensionRegistry)"/> needs.</summary>
    private static bool Visit(string name, Dictionary<string, ByteString> byName, Dictionary<string, IReadOnlyList<string>> dependencies,
        HashSet<string> done, HashSet<string> visiting, List<ByteString> ordered, List<string> errors)
    {
        if (done.Contains(name))
        {
            return true;
        }
        if (!visiting.Add(name))
        {
            errors.Add($"'{name}' imports itself through a cycle of imports");
            return false;
        }
        foreach (var dependency in dependencies[name])
        {
            if (!Visit(dependency, byName, dependencies, done, visiting, ordered, errors))
            {
                return false;
            }
        }
        visiting.Remove(name);
        done.Add(name);
        ordered.Add(byName[name]);
        return true;
    }
}
