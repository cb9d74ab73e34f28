namespace Sluice.Plan;

/// <summary>Collects a route's <see cref="RouteData"/> while route plugins run.</summary>
public sealed class RouteDataBuilder
{
    private readonly Dictionary<Type, object> _items = [];
    private readonly List<Type> _order = [];

    /// <summary>Stores <paramref name="value"/> as <typeparamref name="T"/>, replacing an earlier one.</summary>
    public void Set<T>(T value) where T : class
    {
        if (_items.TryAdd(typeof(T), value))
        {
            _order.Add(typeof(T));
            return;
        }
        _items[typeof(T)] = value;
    }

    public T? Get<T>() where T : class => _items.TryGetValue(typeof(T), out var value) ? (T)value : null;

    public RouteData Build() => _order.Count == 0 ? RouteData.Empty : new([.. _order.Select(type => _items[type])]);
}
