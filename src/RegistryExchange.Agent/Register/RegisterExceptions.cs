namespace RegistryExchange.Agent.Register;

public sealed class StudentNotFoundException(string localId) : Exception($"No student with local id '{localId}' in this register.")
{
    public string LocalId { get; } = localId;
}

public sealed class StudentAlreadyExistsException(string localId) : Exception($"A student with local id '{localId}' already exists.")
{
    public string LocalId { get; } = localId;
}

public sealed class VersionConflictException(string localId, long expected, long actual)
    : Exception($"Student '{localId}' is at version {actual}, not {expected}: it changed since it was read. Read it again and retry.")
{
    public long Expected { get; } = expected;
    public long Actual { get; } = actual;
}
