using Sluice.Plugins.Rest.Templates;

namespace Sluice.Plugins.Rest;

/// <summary>Guards rendered header values: client data must not be able to split or end a header.</summary>
internal static class HeaderValues
{
    public static string Checked(string name, string value) =>
        value.AsSpan().IndexOfAny('\r', '\n', '\0') < 0
            ? value
            : throw new TemplateRenderException(TemplateRenderException.UndefinedCode, $"header '{name}' rendered with a line break or NUL, which a header value cannot carry");
}
