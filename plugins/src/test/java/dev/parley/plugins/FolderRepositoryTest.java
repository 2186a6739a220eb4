package dev.parley.plugins;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;

class FolderRepositoryTest extends PluginRepositorySuite {

    private Path folder;
    private PluginRepository repository;

    @BeforeEach
    void create() {
        folder = work.resolve("repo");
        repository = PluginRepository.folder(folder);
    }

    @Override
    PluginRepository repository() {
        return repository;
    }

    @Override
    void publish(String contract, String version, String file, byte[] bytes) {
        PluginJars.sidecar(folder, file, ".sha256", PluginJars.sha256(bytes) + "  " + file);
        PluginJars.deploy(folder, file, bytes);
    }

    @Override
    void breakIt() throws IOException {
        Files.move(folder, work.resolve("gone"));
    }
}
