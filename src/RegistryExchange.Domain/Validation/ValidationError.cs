namespace RegistryExchange.Domain.Validation;

/// <summary>One broken rule. <see cref="Field"/> is the snake_case path of the wire contract, e.g. "basic.id_number".</summary>
public sealed record ValidationError(string Field, string Description)
{
    public ValidationError WithPrefix(string prefix) =>
        this with { Field = string.IsNullOrEmpty(prefix) ? Field : prefix + "." + Field };
}

/// <summary>Thrown when a domain rule refuses an operation; carries every broken rule.</summary>
public sealed class DomainValidationException(IReadOnlyList<ValidationError> errors)
    : Exception("Validation failed: " + string.Join("; ", errors.Select(e => $"{e.Field}: {e.Description}")))
{
    public IReadOnlyList<ValidationError> Errors { get; } = errors;
}
