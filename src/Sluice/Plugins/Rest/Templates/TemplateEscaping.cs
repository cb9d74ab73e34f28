namespace Sluice.Plugins.Rest.Templates;

/// <summary>How a template's outputs are escaped, chosen when the template is compiled.</summary>
internal enum TemplateEscaping
{
    /// <summary>Headers and bodies: values are written as they are.</summary>
    None,

    /// <summary>
    /// A request path and query: an output before the template's first literal <c>?</c> or
    /// <c>#</c> is a path segment, one after it a query value; each is percent-encoded so a
    /// client's value can neither add segments nor start a query. <c>raw(x)</c> opts out.
    /// </summary>
    Url,
}
