import ArgumentParser
import NeuralNet
import Runs

/// `--preset`, `--arch`, `--strand`, `--first-activation`: the architecture of the commands
/// that make or train a model (train, model init, model summary, model bench).
struct ArchitectureOptions: ParsableArguments {
    @Option(help: "Architecture preset: chip, zhou-sim, koo-cnn2, koo-cnn50, koo-deep, or bpnet (a count and profile model) (default: chip unless --arch, bpnet for --loss profile; train --resume: the checkpoint's).")
    var preset: PresetName?

    @Option(help: "Architecture JSON file instead of a preset.")
    var arch: String?

    @Option(help: "standard, rc or conjoined (default: rc; train --resume: the checkpoint's).")
    var strand: StrandMode?

    @Option(name: .customLong("first-activation"), help: "Activation after the first layer's batch norm (relu, exponential, sigmoid, tanh, softplus, elu, linear; default: the preset's, relu).")
    var firstActivation: ActivationFunction?

    func validate() throws {
        if let conflict = request.conflict { throw ValidationError(conflict) }
    }

    /// The request the flags make.
    var request: ArchitectureRequest {
        ArchitectureRequest(preset: preset?.name, arch: arch, strand: strand, firstActivation: firstActivation)
    }
}
