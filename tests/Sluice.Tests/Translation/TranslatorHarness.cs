using Sluice.Api;
using Sluice.Hosting;
using Sluice.Storage;
using Sluice.Translation;

namespace Sluice.Tests.Translation;

/// <summary>YAML in, plan and verdicts out: the translator as users meet it.</summary>
internal static class TranslatorHarness
{
    private static readonly Translator Translator = new(SluicePlugins.Default);

    public static ConfigSnapshot Snapshot(string yaml, params ConfigError[] loadErrors)
    {
        var documents = ConfigCodec.ReadMixedDocuments(yaml, "test.yaml");
        Assert.All(documents, d => Assert.Null(d.Error));
        var objects = documents.Select(d => d.Object!).ToList();
        return new ConfigSnapshot
        {
            Upstreams = new(objects.OfType<Upstream>()),
            VirtualServices = new(objects.OfType<VirtualService>()),
            LoadErrors = new(loadErrors),
        };
    }

    public static TranslationResult Translate(string yaml, TranslationState? previous = null) =>
        Translator.Translate(Snapshot(yaml), previous ?? TranslationState.Empty);

    public static TranslationResult Translate(ConfigSnapshot snapshot, TranslationState? previous = null) =>
        Translator.Translate(snapshot, previous ?? TranslationState.Empty);

    public static Status StatusOf(this TranslationResult result, ConfigKind kind, string name) =>
        result.Reports.Single(r => r.Kind == kind && r.Name == name).Status;

    public const string Backend = """
        name: backend
        type: static
        spec: { hosts: [{ addr: 10.0.0.1, port: 8080 }] }
        ---

        """;
}
