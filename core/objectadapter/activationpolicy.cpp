#include "activationpolicy.h"

namespace proclab {

QString activationPolicyId(ActivationPolicy p)
{
    switch (p) {
    case ActivationPolicy::PerRequest:
        return QStringLiteral("per_request");
    case ActivationPolicy::PerClient:
        return QStringLiteral("per_client");
    case ActivationPolicy::PerServer:
        return QStringLiteral("per_server");
    }
    return {};
}

QString threadingPolicyId(ThreadingPolicy p)
{
    return p == ThreadingPolicy::ThreadPerObject ? QStringLiteral("per_object")
                                                 : QStringLiteral("per_request");
}

std::optional<ActivationPolicy> activationPolicyFromId(const QString &id)
{
    for (ActivationPolicy p :
        {ActivationPolicy::PerRequest, ActivationPolicy::PerClient, ActivationPolicy::PerServer}) {
        if (activationPolicyId(p) == id)
            return p;
    }
    return std::nullopt;
}

std::optional<ThreadingPolicy> threadingPolicyFromId(const QString &id)
{
    for (ThreadingPolicy p : {ThreadingPolicy::ThreadPerObject, ThreadingPolicy::ThreadPerRequest}) {
        if (threadingPolicyId(p) == id)
            return p;
    }
    return std::nullopt;
}

QStringList activationPolicyIds()
{
    return {QStringLiteral("per_request"), QStringLiteral("per_client"), QStringLiteral("per_server")};
}

QStringList threadingPolicyIds()
{
    return {QStringLiteral("per_object"), QStringLiteral("per_request")};
}

} // namespace proclab
