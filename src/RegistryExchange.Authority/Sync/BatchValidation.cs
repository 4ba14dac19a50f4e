using Google.Protobuf.Collections;
using RegistryExchange.Domain.Validation;
using RegistryExchange.Protocol;
using W = RegistryExchange.Contracts.V1;

namespace RegistryExchange.Authority.Sync;

/// <summary>
/// ChangeValidation.ValidateBatch, with the common case (a large, valid batch) checked on every core. Whenever
/// anything looks wrong the sequential ValidateBatch runs, so the field violations are exactly its own.
/// </summary>
internal static class BatchValidation
{
    private const int ParallelFrom = 256;

    public static IReadOnlyList<ValidationError> Validate(RepeatedField<W.RecordChange> changes, DateOnly today, int maxBatch)
    {
        var errors = changes.Count >= ParallelFrom && changes.Count <= maxBatch && LooksValid(changes, today)
            ? []
            : ChangeValidation.ValidateBatch(changes, today, maxBatch).ToList();
        for (var i = 0; i < changes.Count && errors.Count == 0; i++)
        {
            if (changes[i].Sequence > long.MaxValue)
            {
                errors.Add(new ValidationError($"changes[{i}].sequence", $"must be at most {long.MaxValue}"));
            }
        }
        return errors;
    }

    /// <summary>True only when ValidateBatch would find nothing: consecutive sequences from 1 up, every change valid.</summary>
    private static bool LooksValid(RepeatedField<W.RecordChange> changes, DateOnly today)
    {
        for (var i = 0; i < changes.Count; i++)
        {
            if (changes[i].Sequence == 0 || (i > 0 && changes[i].Sequence != changes[i - 1].Sequence + 1))
            {
                return false;
            }
        }
        var valid = true;
        Parallel.For(0, changes.Count, (i, state) =>
        {
            if (ChangeValidation.Validate(changes[i], today).Count > 0)
            {
                valid = false;
                state.Stop();
            }
        });
        return valid;
    }
}
