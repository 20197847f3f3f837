/// How to load a single-file checkpoint (`SingleFileCheckpoint.open`).
public struct SingleFileOptions: Sendable, Equatable {
    /// A diffusers folder holding the configs (`model_index.json`, `unet/config.json`, `vae/config.json`,
    /// `text_encoder/config.json`, `scheduler/scheduler_config.json`, `tokenizer/`); weights there are
    /// ignored and need not exist. SDXL folders add `text_encoder_2/config.json` and `tokenizer_2/`. Nil:
    /// recognise a standard SD 1.5 / 2.x / SDXL base model from the keys and tensor shapes.
    public var configFolder: String?
    /// For a recognised SD 2.x checkpoint: `"v_prediction"` (SD 2.x 768 px, the default, as diffusers
    /// decides for a file without `global_step`) or `"epsilon"` (the 512 px 2.x-base models). With a
    /// config folder: overrides its scheduler's `prediction_type`.
    public var predictionType: String?
    /// The folder with CLIP's `vocab.json` + `merges.txt` for the standard configs (see
    /// `StandardModel.vocabularyFolder`).
    public var vocabularyFolder: String?
    /// Where the standard configs are written (see `StandardModel.configRoot`).
    public var configRoot: String?

    public init(configFolder: String? = nil, predictionType: String? = nil, vocabularyFolder: String? = nil,
                configRoot: String? = nil) {
        self.configFolder = configFolder
        self.predictionType = predictionType
        self.vocabularyFolder = vocabularyFolder
        self.configRoot = configRoot
    }
}
