namespace Sluice.Plan;

/// <summary>
/// What route plugins compiled for one route, keyed by type: a plugin stores its own record and
/// reads it back with <see cref="Get{T}"/>, so data written as one type and read as another
/// does not compile. At most one value per type; compares by content (it is plan data).
/// </summary>
public sealed class RouteData : IEquatable<RouteData>
{
    public static readonly RouteData Empty = new([]);

    private readonly object[] _items;

    internal RouteData(object[] items) => _items = items;

    /// <summary>Every value, in the order the plugins stored them.</summary>
    public IReadOnlyList<object> Items => _items;

    /// <summary>The value stored as <typeparamref name="T"/>; null when no plugin stored one.</summary>
    public T? Get<T>() where T : class
    {
        // A handful of items at most: a scan beats a dictionary lookup here.
        var items = _items;
        for (var i = 0; i < items.Length; i++)
        {
            if (items[i] is T value)
            {
                return value;
            }
        }
        return null;
    }

    public bool Equals(RouteData? other) => other is not null && _items.AsSpan().SequenceEqual(other._items);

    public override bool Equals(object? obj) => Equals(obj as RouteData);

    public override int GetHashCode() => _items.Length;
}
