#include "federatedlearning.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace proclab::mobility {

namespace {

/// splitmix64: small, fast and the same sequence everywhere.
class Random {
public:
    explicit Random(std::uint64_t seed)
        : m_state(seed)
    {
    }
    std::uint64_t next()
    {
        std::uint64_t z = (m_state += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
    }
    double uniform() { return double(next() >> 11) * 0x1.0p-53; } // [0, 1)
    double normal()
    {
        // Box-Muller; 1 - u keeps the logarithm finite.
        const double u = 1.0 - uniform(), v = uniform();
        return std::sqrt(-2.0 * std::log(u)) * std::cos(2.0 * std::numbers::pi * v);
    }

private:
    std::uint64_t m_state;
};

struct Dataset {
    std::vector<std::vector<double>> x;
    std::vector<double> y;
};

double predict(const std::vector<double> &w, const std::vector<double> &x)
{
    double s = w.back(); // bias
    for (std::size_t j = 0; j < x.size(); ++j)
        s += w[j] * x[j];
    return s;
}

double mse(const std::vector<double> &w, const Dataset &d)
{
    if (d.y.empty())
        return 0;
    double s = 0;
    for (std::size_t i = 0; i < d.y.size(); ++i) {
        const double e = predict(w, d.x[i]) - d.y[i];
        s += e * e;
    }
    return s / double(d.y.size());
}

/// One full-batch gradient step on the mean squared error.
void step(std::vector<double> &w, const Dataset &d, double rate)
{
    if (d.y.empty())
        return;
    std::vector<double> g(w.size(), 0.0);
    for (std::size_t i = 0; i < d.y.size(); ++i) {
        const double e = predict(w, d.x[i]) - d.y[i];
        for (std::size_t j = 0; j < d.x[i].size(); ++j)
            g[j] += 2.0 * e * d.x[i][j];
        g.back() += 2.0 * e;
    }
    for (std::size_t j = 0; j < w.size(); ++j)
        w[j] -= rate * g[j] / double(d.y.size());
}

} // namespace

FederatedReport FederatedLearning::run(const FederatedConfig &config)
{
    FederatedReport r;
    const int clients = std::max(1, config.clients);
    const int features = std::max(1, config.features);
    const int samples = std::max(1, config.samplesPerClient);
    const int rounds = std::max(0, config.rounds);
    const int epochs = std::max(1, config.localEpochs);
    Random rng(config.seed);

    r.trueWeights.resize(std::size_t(features) + 1);
    for (double &w : r.trueWeights)
        w = 4.0 * rng.uniform() - 2.0;

    // Each client draws features around its own mean: the data differ from client to client.
    std::vector<std::vector<double>> means(
        static_cast<std::size_t>(clients), std::vector<double>(static_cast<std::size_t>(features)));
    for (auto &m : means) {
        for (double &v : m)
            v = config.clientSpread * (2.0 * rng.uniform() - 1.0);
    }
    auto sample = [&](const std::vector<double> &mean, Dataset &into) {
        std::vector<double> x(static_cast<std::size_t>(features));
        for (int j = 0; j < features; ++j)
            x[std::size_t(j)] = mean[std::size_t(j)] + rng.normal();
        into.y.push_back(predict(r.trueWeights, x) + config.noise * rng.normal());
        into.x.push_back(std::move(x));
    };
    std::vector<Dataset> local(static_cast<std::size_t>(clients));
    Dataset pooled, test;
    for (int c = 0; c < clients; ++c) {
        for (int i = 0; i < samples; ++i)
            sample(means[std::size_t(c)], local[std::size_t(c)]);
        pooled.x.insert(pooled.x.end(), local[std::size_t(c)].x.begin(), local[std::size_t(c)].x.end());
        pooled.y.insert(pooled.y.end(), local[std::size_t(c)].y.begin(), local[std::size_t(c)].y.end());
        for (int i = 0; i < samples / 2 + 1; ++i)
            sample(means[std::size_t(c)], test);
    }
    r.samplesTotal = int(pooled.y.size());

    const std::vector<double> zero(static_cast<std::size_t>(features) + 1, 0.0);
    r.initialTestMse = mse(zero, test);
    r.noiseFloorMse = config.noise * config.noise;

    std::vector<double> global = zero, central = zero;
    for (int round = 0; round < rounds; ++round) {
        // Federated: every client trains the current model on its own data; only models travel.
        std::vector<double> sum(global.size(), 0.0);
        for (int c = 0; c < clients; ++c) {
            std::vector<double> w = global;
            for (int e = 0; e < epochs; ++e)
                step(w, local[std::size_t(c)], config.learningRate);
            const double weight = double(local[std::size_t(c)].y.size()) / double(pooled.y.size());
            for (std::size_t j = 0; j < w.size(); ++j)
                sum[j] += weight * w[j];
        }
        global = sum;
        // Centralised: the same number of gradient steps on all the data in one place.
        for (int e = 0; e < epochs; ++e)
            step(central, pooled, config.learningRate);
        r.federatedTestMse.push_back(mse(global, test));
        r.centralTestMse.push_back(mse(central, test));
    }
    r.federatedWeights = global;
    r.centralWeights = central;
    const std::uint64_t parameterBytes = 8 * (std::uint64_t(features) + 1);
    r.bytesModelTraffic = 2 * std::uint64_t(rounds) * std::uint64_t(clients) * parameterBytes;
    r.bytesRawData = std::uint64_t(r.samplesTotal) * 8 * (std::uint64_t(features) + 1);
    return r;
}

} // namespace proclab::mobility
