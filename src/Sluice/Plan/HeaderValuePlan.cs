namespace Sluice.Plan;

/// <summary>A header to add; <see cref="Append"/> keeps existing values, otherwise it replaces them.</summary>
public sealed record HeaderValuePlan(string Name, string Value, bool Append);
