#pragma once

#include <cstdint>
#include <vector>

namespace proclab::mobility {

/// The model's parameters (all of it is a model: synthetic data, no network).
struct FederatedConfig {
    int clients = 4;
    int samplesPerClient = 250;
    int features = 2;
    int rounds = 40; ///< federated rounds; the centralised run gets the same epochs
    int localEpochs = 5; ///< gradient steps each client takes per round
    double learningRate = 0.05;
    double noise = 0.3; ///< standard deviation of the label noise
    double clientSpread = 1.5; ///< how far the clients' feature means lie apart (non-identical data)
    std::uint64_t seed = 1;
};

/// What federated averaging reached next to centralised training (a model).
struct FederatedReport {
    std::vector<double> trueWeights; ///< features..., then the bias
    std::vector<double> federatedWeights;
    std::vector<double> centralWeights;
    std::vector<double> federatedTestMse; ///< after each round
    std::vector<double> centralTestMse; ///< after the same number of epochs
    double initialTestMse = 0; ///< the zero model
    double noiseFloorMse = 0; ///< noise^2: no model does better on average
    std::uint64_t bytesModelTraffic = 0; ///< federated: models sent down and up, 8 bytes per parameter
    std::uint64_t bytesRawData = 0; ///< centralised: every sample sent to one place
    int samplesTotal = 0;
};

/**
 * @brief Federated learning (M1, privacy: move the code to the data) as a
 * model: linear regression trained by gradient descent on clients whose data
 * never leaves them; a server averages their models each round (weighted by
 * sample count). Compared with training on all the data in one place. The
 * data is synthetic and deterministic for a seed. No threads, no I/O.
 */
class FederatedLearning {
public:
    static FederatedReport run(const FederatedConfig &config);
};

} // namespace proclab::mobility
