namespace Sluice.Plan;

/// <summary>
/// A route's filters in stage order, split once into what runs on the request, on the response
/// and on each forwarded request. Built when the plan is bound; a request walks arrays and
/// allocates nothing here (an async step only when a filter before the last did not complete synchronously).
/// </summary>
public sealed class RoutePipeline
{
    private readonly IRouteFilter[] _request;
    private readonly IResponseFilter[] _response;
    private readonly IForwardedRequestDecorator[] _decorators;

    public RoutePipeline(IEnumerable<IRouteFilter> filters)
    {
        // Stable: filters of one stage keep the order their plugins added them in.
        var ordered = filters.Select((filter, index) => (filter, index)).OrderBy(f => f.filter.Stage).ThenBy(f => f.index).Select(f => f.filter).ToArray();
        Filters = ordered;
        _request = ordered.Where(f => f.Stage != Stage.Response).ToArray();
        _response = ordered.OfType<IResponseFilter>().Reverse().ToArray();
        _decorators = ordered.OfType<IForwardedRequestDecorator>().ToArray();
    }

    /// <summary>Some filter changes the forwarded request (<see cref="Decorate"/>): it needs an <see cref="HttpRequestMessage"/>.</summary>
    public bool DecoratesForwardedRequests => _decorators.Length > 0;

    /// <summary>Every filter, in stage order.</summary>
    public IReadOnlyList<IRouteFilter> Filters { get; }

    public ValueTask RunAsync(RouteContext context)
    {
        var filters = _request;
        var last = filters.Length - 1;
        for (var i = 0; i < last; i++)
        {
            var step = filters[i].OnRequestAsync(context);
            if (!step.IsCompletedSuccessfully)
            {
                return AwaitRestAsync(step, i, context);
            }
            if (context.IsAnswered)
            {
                return ValueTask.CompletedTask;
            }
        }
        // The last filter (the action, normally) is handed back as is: no state machine here.
        return last >= 0 ? filters[last].OnRequestAsync(context) : ValueTask.CompletedTask;
    }

    /// <summary>The slow path: filter <paramref name="index"/> went asynchronous; the rest run after it.</summary>
    private async ValueTask AwaitRestAsync(ValueTask pending, int index, RouteContext context)
    {
        await pending;
        var filters = _request;
        for (var i = index + 1; i < filters.Length && !context.IsAnswered; i++)
        {
            await filters[i].OnRequestAsync(context);
        }
    }

    /// <summary>Response filters, last stage first; call once the response's status and headers are set.</summary>
    public void ApplyResponse(RouteContext context)
    {
        var filters = _response;
        for (var i = 0; i < filters.Length; i++)
        {
            filters[i].OnResponse(context);
        }
    }

    public void Decorate(RouteContext context, HttpRequestMessage proxyRequest)
    {
        var decorators = _decorators;
        for (var i = 0; i < decorators.Length; i++)
        {
            decorators[i].Decorate(context.HttpContext, proxyRequest);
        }
    }
}
