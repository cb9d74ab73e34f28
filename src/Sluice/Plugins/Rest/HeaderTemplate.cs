using Sluice.Plugins.Rest.Templates;

namespace Sluice.Plugins.Rest;

/// <summary>A header to set (replacing any the request had) from a template; <c>:method</c> sets the method.</summary>
internal sealed record HeaderTemplate(string Name, Template Value);
