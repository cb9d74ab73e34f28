using System.Text.RegularExpressions;
using CsCheck;
using Sluice.Api;
using Sluice.Hosting;
using Sluice.Storage;
using Sluice.Tests.Infrastructure;
using Sluice.Translation;
using Xunit.Abstractions;

namespace Sluice.Tests.Translation;

/// <summary>
/// The shipped examples, mutated the ways hands and tools break YAML (a dropped line, a scalar of
/// another type, random unicode, deep nesting, a huge number, a duplicated key), fed through the
/// codec and the translator: nothing may throw out of either, and every rejection must say which
/// object and which field. Runs for a fixed time; on a failure CsCheck prints the seed, and
/// <c>CsCheck_Seed=&lt;seed&gt; dotnet test --filter FuzzedConfigTests</c> replays it.
/// </summary>
[Collection(TimingCollection.Name)]
public sealed partial class FuzzedConfigTests(ITestOutputHelper output)
{
    private static readonly Translator Translator = new(SluicePlugins.Default);

    private static readonly IReadOnlyList<ExampleFile> Files = LoadExamples();

    [Fact]
    public void Mutated_examples_never_throw_and_every_rejection_names_object_and_field()
    {
        var documents = 0L;
        var samples = Gen.Select(Gen.Int[0, Files.Count - 1], Mutation.Array[1, 3], Gen.Int.Array[3]);
        samples.Sample(
            (index, mutations, positions) =>
            {
                var file = Files[index];
                var text = mutations.Select((m, i) => (m, i)).Aggregate(file.Text, (t, step) => step.m(t, positions[step.i]));
                Interlocked.Add(ref documents, CheckFile(file, text));
            },
            writeLine: output.WriteLine,
            time: 25,
            print: sample => $"{Files[sample.Item1].Path}, mutated:\n{Mutate(sample)}");
        output.WriteLine($"{documents} mutated documents decoded and translated");
        // The budget is time, so the count depends on the machine; the floor only catches a run
        // that did almost nothing (alone in its collection, so other tests do not eat the budget).
        Assert.True(documents >= 1_000, $"only {documents} documents in the time budget");
    }

    /// <summary>Decodes the mutated file, translates its example with it, checks every verdict; returns the documents read.</summary>
    private static int CheckFile(ExampleFile file, string text)
    {
        var decoded = ConfigCodec.ReadDocuments(text, file.Kind, file.Path);
        foreach (var document in decoded.Where(d => d.Error is not null))
        {
            AssertNamesWhere(document.Error!);
        }
        // The rest of the example as it ships; a mutated upstream is judged without the virtual
        // services (they add nothing to its verdict, and their patterns are most of the cost).
        var objects = decoded.Where(d => d.Object is not null).Select(d => d.Object!)
            .Concat(Files.Where(f => f.Example == file.Example && f != file && (f.Kind == ConfigKind.Upstream || file.Kind == ConfigKind.VirtualService)).SelectMany(f => f.Objects))
            .ToList();
        var snapshot = new ConfigSnapshot
        {
            Upstreams = new(objects.OfType<Upstream>().DistinctBy(u => u.Name)),
            VirtualServices = new(objects.OfType<VirtualService>().DistinctBy(v => v.Name)),
            Secrets = file.Secrets,
        };
        // After the unmutated example, as a change arrives in a running gateway: what did not
        // change is reused (compiled patterns are most of a translation's cost).
        var result = Translator.Translate(snapshot, file.Previous);
        foreach (var report in result.Reports.Where(r => r.Status.State == StatusState.Rejected))
        {
            Assert.False(string.IsNullOrEmpty(report.Name), $"a rejected {report.Kind} has no name");
            Assert.True(report.Status.Reason is { } reason && FieldPath().IsMatch(reason),
                $"{report.Kind} '{report.Name}' is rejected without naming a field: {report.Status.Reason}");
        }
        return decoded.Count;
    }

    /// <summary>
    /// A codec error says where (file and line) and, once the document is an object, which object
    /// and which field; a document that is not yet an object (invalid YAML, no name) has only its place.
    /// </summary>
    private static void AssertNamesWhere(ConfigError error)
    {
        Assert.True(error.Source is not null && error.Line is not null, $"an error without a place: {error}");
        if (error.ObjectName is not null)
        {
            Assert.True(error.Field is not null || error.Message.Contains("name", StringComparison.Ordinal), $"an error about '{error.ObjectName}' names no field: {error}");
        }
    }

    /// <summary>
    /// "spec.hosts[0].port: …", "routes[2].request_matcher: …", "functions[0] (hello): …", as
    /// <see cref="Diagnostics"/> writes a field's error. A map key is the user's own text (a
    /// mutated one may hold a tab or unicode), so after a dot anything up to the next dot counts.
    /// </summary>
    [GeneratedRegex(@"(^|; )[a-z_]+(\[\d+\]( \([^)]*\))?|\.[^.\n]+?|\[[^\]]+\])*: ")]
    private static partial Regex FieldPath();

    private delegate string Mutator(string text, int position);

    /// <summary>One mutation at a position the sample chose (taken modulo the text's lines or length).</summary>
    private static readonly Gen<Mutator> Mutation = Gen.OneOf<Mutator>(
        DropLine,
        DuplicateLine,
        (t, p) => ReplaceScalar(t, p, "true"),
        (t, p) => ReplaceScalar(t, p, "-1"),
        (t, p) => ReplaceScalar(t, p, "[]"),
        (t, p) => ReplaceScalar(t, p, "{}"),
        (t, p) => ReplaceScalar(t, p, "null"),
        (t, p) => ReplaceScalar(t, p, "\"\""),
        (t, p) => ReplaceScalar(t, p, "99999999999999999999999999999999"),
        (t, p) => ReplaceScalar(t, p, "1e400"),
        (t, p) => ReplaceScalar(t, p, "-9223372036854775809"),
        (t, p) => ReplaceScalar(t, p, "0x7fffffff"),
        (t, p) => ReplaceScalar(t, p, new string('[', 2000) + new string(']', 2000)),
        (t, p) => ReplaceScalar(t, p, string.Concat(Enumerable.Repeat("{a: ", 300)) + "1" + new string('}', 300)),
        InsertUnicode,
        (t, p) => t.Insert(At(p, t.Length + 1), "\t"));

    private static string DropLine(string text, int position) => EditLine(text, position, _ => null);

    private static string DuplicateLine(string text, int position) => EditLine(text, position, line => line + "\n" + line);

    /// <summary>The value of a <c>key: value</c> line (or a <c>- item</c>) becomes <paramref name="value"/>.</summary>
    private static string ReplaceScalar(string text, int position, string value) => EditLine(text, position, line =>
    {
        var colon = line.IndexOf(": ", StringComparison.Ordinal);
        if (colon >= 0)
        {
            return line[..(colon + 2)] + value;
        }
        var dash = line.IndexOf("- ", StringComparison.Ordinal);
        return dash >= 0 ? line[..(dash + 2)] + value : line;
    });

    private static string InsertUnicode(string text, int position)
    {
        // Letters from other scripts, a BOM, a zero-width joiner, a NUL, a lone surrogate, an emoji.
        string[] pieces = ["é", "名前", "\uFEFF", "\u200D", "\0", "\uD800", "😀", "\u202E", "\r"];
        return text.Insert(At(position, text.Length + 1), pieces[At(position / 7, pieces.Length)]);
    }

    private static string EditLine(string text, int position, Func<string, string?> edit)
    {
        var lines = text.Split('\n').ToList();
        var index = At(position, lines.Count);
        var edited = edit(lines[index]);
        if (edited is null)
        {
            lines.RemoveAt(index);
        }
        else
        {
            lines[index] = edited;
        }
        return string.Join('\n', lines);
    }

    /// <summary>A position in [0, count) from any int (int.MinValue too).</summary>
    private static int At(int position, int count) => (int)((uint)position % (uint)count);

    private static string Mutate((int File, Mutator[] Mutations, int[] Positions) sample) =>
        sample.Mutations.Select((m, i) => (m, i)).Aggregate(Files[sample.File].Text, (t, step) => step.m(t, sample.Positions[step.i]));

    /// <summary>One YAML file of an example, with what the rest of its example needs to translate.</summary>
    private sealed record ExampleFile(string Example, string Path, ConfigKind Kind, string Text, IReadOnlyList<IConfigObject> Objects, IReadOnlyDictionary<string, ValueMap> Secrets)
    {
        /// <summary>The translation of the whole unmutated example.</summary>
        public TranslationState Previous { get; set; } = TranslationState.Empty;
    }

    private static IReadOnlyList<ExampleFile> LoadExamples()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(System.IO.Path.Combine(root.FullName, "Sluice.slnx")))
        {
            root = root.Parent ?? throw new InvalidOperationException("the repository root (Sluice.slnx) is not above the test binaries");
        }
        var files = new List<ExampleFile>();
        foreach (var example in Directory.GetDirectories(System.IO.Path.Combine(root.FullName, "examples")))
        {
            var secretsDir = System.IO.Path.Combine(example, "secrets");
            var secrets = Directory.Exists(secretsDir)
                ? Directory.GetFiles(secretsDir).ToDictionary(f => System.IO.Path.GetFileName(f), f => ConfigCodec.ReadSecret(File.ReadAllText(f), f))
                : new Dictionary<string, ValueMap>();
            foreach (var (folder, kind) in new[] { ("upstreams", ConfigKind.Upstream), ("virtualservices", ConfigKind.VirtualService) })
            {
                var dir = System.IO.Path.Combine(example, folder);
                if (!Directory.Exists(dir))
                {
                    continue;
                }
                foreach (var path in Directory.GetFiles(dir, "*.yaml"))
                {
                    var text = File.ReadAllText(path);
                    var relative = System.IO.Path.GetRelativePath(example, path);
                    var objects = ConfigCodec.ReadDocuments(text, kind, relative).Select(d => d.Object).OfType<IConfigObject>().ToList();
                    files.Add(new ExampleFile(System.IO.Path.GetFileName(example), relative, kind, text, objects, secrets));
                }
            }
        }
        foreach (var example in files.GroupBy(f => f.Example))
        {
            var objects = example.SelectMany(f => f.Objects).ToList();
            var state = Translator.Translate(new ConfigSnapshot
            {
                Upstreams = new(objects.OfType<Upstream>()),
                VirtualServices = new(objects.OfType<VirtualService>()),
                Secrets = example.First().Secrets,
            }, TranslationState.Empty).State;
            foreach (var file in example)
            {
                file.Previous = state;
            }
        }
        Assert.True(files.Count > 10, $"only {files.Count} example files found");
        return files;
    }
}
