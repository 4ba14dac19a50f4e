using RegistryExchange.Domain.Codes;
using W = RegistryExchange.Contracts.V1;

namespace RegistryExchange.Protocol;

/// <summary>
/// What each kind of reader may see of a record (data minimisation). Authority staff see records whole. A feed
/// consumer (an analytics system, another registry) follows students by national student number and needs no way to
/// identify or contact a minor: the ID number is masked, and home address and every phone number and guardian name
/// are removed. Guardians' relations stay (they carry no identity).
/// </summary>
public static class RecordViews
{
    /// <summary>Minimises <paramref name="change"/> in place for a feed consumer and returns it.</summary>
    public static W.RecordChange ForFeedConsumer(W.RecordChange change)
    {
        switch (change.ChangeCase)
        {
            case W.RecordChange.ChangeOneofCase.Created:
                Minimise(change.Created.Details);
                break;
            case W.RecordChange.ChangeOneofCase.Updated:
                Minimise(change.Updated.Details);
                break;
            case W.RecordChange.ChangeOneofCase.StatusChanged:
            case W.RecordChange.ChangeOneofCase.None:
            default:
                break;
        }
        return change;
    }

    private static void Minimise(W.StudentDetails? details)
    {
        if (details?.Basic is not { } basic)
        {
            return;
        }
        if (basic.IdNumber.Length > 0)
        {
            basic.IdNumber = IdNumber.Mask(basic.IdNumber);
        }
        basic.HouseholdAddress = "";
        basic.Phone = "";
        foreach (var guardian in basic.Guardians)
        {
            guardian.Name = "";
            guardian.Phone = "";
        }
    }
}
