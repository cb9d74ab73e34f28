namespace Sluice.Storage;

/// <summary>
/// Leadership where there is nothing to elect: the file and in-memory stores are written by the
/// processes that share one machine (the file lock serialises them), so every controller leads.
/// </summary>
public sealed class SoleLeader : ILeadership
{
    public static readonly SoleLeader Instance = new();

    private SoleLeader()
    {
    }

    public string Identity => "this process";

    public bool IsLeader => true;

    public string? Leader => Identity;

    // Leadership never changes, so nobody is ever told.
    public event Action? Changed
    {
        add { }
        remove { }
    }
}
