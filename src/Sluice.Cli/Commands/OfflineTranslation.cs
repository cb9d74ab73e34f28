using Sluice.Hosting;
using Sluice.Storage;
using Sluice.Translation;

namespace Sluice.Cli.Commands;

/// <summary>The translator's verdicts for a snapshot, computed offline as the gateway would on a cold start.</summary>
internal static class OfflineTranslation
{
    public static IReadOnlyList<ObjectReport> Judge(ConfigSnapshot snapshot) =>
        new Translator(SluicePlugins.Default).Translate(snapshot, TranslationState.Empty).Reports;
}
