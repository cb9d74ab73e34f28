using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using Google.Protobuf.Reflection;

namespace Sluice.Plugins.Grpc.Codec;

/// <summary>
/// Every message of a descriptor set (and of the files it imports), compiled once into
/// <see cref="MessageCodec"/>s that convert between protobuf wire format and the proto3 JSON mapping
/// (https://protobuf.dev/programming-guides/json/). Build one per descriptor set when config changes;
/// conversions then only read it, from any number of threads.
/// </summary>
public sealed class ProtoCodecSet
{
    // Assigned once, at the end of Compile: message codecs keep a reference to their set (to resolve
    // Any's types), so the set exists before its dictionary does.
    private FrozenDictionary<string, MessageCodec> _messages = FrozenDictionary<string, MessageCodec>.Empty;
    private FrozenDictionary<string, MessageCodec>.AlternateLookup<ReadOnlySpan<char>> _messagesBySpan;

    private ProtoCodecSet()
    {
    }

    /// <summary>Compiles the messages of <paramref name="files"/> and of all files they import.</summary>
    public static ProtoCodecSet Compile(IEnumerable<FileDescriptor> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        var messages = new Dictionary<string, MessageCodec>(StringComparer.Ordinal);
        var enums = new Dictionary<string, EnumCodec>(StringComparer.Ordinal);
        var set = new ProtoCodecSet();
        var seenFiles = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<FileDescriptor>(files);
        while (pending.Count > 0)
        {
            var file = pending.Pop();
            if (!seenFiles.Add(file.Name))
            {
                continue;
            }
            foreach (var dependency in file.Dependencies)
            {
                pending.Push(dependency);
            }
            foreach (var message in file.MessageTypes)
            {
                AddMessage(message, set, messages);
            }
        }

        // Second phase: fields refer to other messages (recursively, even to themselves), so link them
        // once every message has its codec.
        foreach (var codec in messages.Values.ToList())
        {
            codec.LinkFields(messages, enums, set);
        }
        foreach (var codec in messages.Values)
        {
            codec.LinkMapEntries();
        }
        set._messages = messages.ToFrozenDictionary(StringComparer.Ordinal);
        set._messagesBySpan = set._messages.GetAlternateLookup<ReadOnlySpan<char>>();
        return set;
    }

    /// <summary>The full names (<c>package.Message</c>) of all compiled messages.</summary>
    public IEnumerable<string> MessageNames => _messages.Keys;

    public bool TryGet(string fullMessageName, [NotNullWhen(true)] out MessageCodec? codec) =>
        _messages.TryGetValue(fullMessageName.StartsWith('.') ? fullMessageName[1..] : fullMessageName, out codec);

    /// <exception cref="KeyNotFoundException">The set has no message of that name.</exception>
    public MessageCodec Get(string fullMessageName) =>
        TryGet(fullMessageName, out var codec)
            ? codec
            : throw new KeyNotFoundException($"The descriptor set has no message '{fullMessageName}'.");

    /// <summary>Resolves an Any's type URL (<c>type.googleapis.com/pkg.Msg</c>: the name after the last '/').</summary>
    internal bool TryResolveTypeUrl(ReadOnlySpan<char> typeUrl, [NotNullWhen(true)] out MessageCodec? codec)
    {
        var slash = typeUrl.LastIndexOf('/');
        var name = slash < 0 ? typeUrl : typeUrl[(slash + 1)..];
        return _messagesBySpan.TryGetValue(name, out codec);
    }

    private static void AddMessage(MessageDescriptor descriptor, ProtoCodecSet set, Dictionary<string, MessageCodec> messages)
    {
        if (messages.ContainsKey(descriptor.FullName))
        {
            return;
        }
        messages.Add(descriptor.FullName, new MessageCodec(descriptor, set));
        foreach (var nested in descriptor.NestedTypes)
        {
            AddMessage(nested, set, messages);
        }
        // Map entry types are synthesized messages; make sure they have codecs however the runtime lists them.
        foreach (var field in descriptor.Fields.InDeclarationOrder())
        {
            if (field.IsMap)
            {
                AddMessage(field.MessageType, set, messages);
            }
        }
    }
}
