package io.paygate.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class SandboxMainTest {

    private static final String MERCHANT = "1900000109:wx8888888888888888:secret-api-key-0000000000000000";

    @Test
    void tlsPortIsOptionalAndItsDirectoryDefaultsBesideTheStateFile() throws Exception {
        SandboxMain.Options plain = SandboxMain.parse(new String[] {"--wechat-port", "0", "--wechat-merchant", MERCHANT});
        assertThat(plain.wechatTlsPort()).isNull();
        assertThat(plain.wechatTlsDir()).isNull();

        SandboxMain.Options tls = SandboxMain.parse(new String[] {"--wechat-port", "0", "--wechat-merchant", MERCHANT,
            "--state-file", "/tmp/sandbox/state.json", "--wechat-tls-port", "18092"});
        assertThat(tls.wechatTlsPort()).isEqualTo(18092);
        assertThat(tls.wechatTlsDir()).isEqualTo(Path.of("/tmp/sandbox/wechat-tls"));

        SandboxMain.Options explicit = SandboxMain.parse(new String[] {"--wechat-port", "0", "--wechat-merchant", MERCHANT,
            "--wechat-tls-port", "0", "--wechat-tls-dir", "/tmp/certs"});
        assertThat(explicit.wechatTlsDir()).isEqualTo(Path.of("/tmp/certs"));
    }

    @Test
    void badTlsOptionsAreRefusedWithoutShowingTheKey() {
        assertThatThrownBy(() -> SandboxMain.parse(new String[] {"--wechat-port", "0", "--wechat-merchant", MERCHANT,
            "--wechat-tls-port", "70000"})).hasMessageContaining("--wechat-tls-port").hasMessageNotContaining("secret");
        assertThatThrownBy(() -> SandboxMain.parse(new String[] {"--wechat-port", "0", "--wechat-merchant", MERCHANT,
            "--wechat-tls-dir", "/tmp/x"})).hasMessageContaining("--wechat-tls-port");
    }

    @Test
    void pooulOptionsAreTakenOffBeforeTheOthers() throws Exception {
        SandboxMain.PooulOptions only = SandboxMain.parsePooul(new String[] {"--pooul-port", "0", "--pooul-keys", "/tmp/k",
            "--pooul-merchant", "59457accffea0e051b86e685:classic:secret-md5-key"});
        assertThat(only.port()).isEqualTo(0);
        assertThat(only.merchants()).hasSize(1);
        assertThat(only.merchants().get(0).toString()).doesNotContain("secret");
        assertThat(only.rest()).isEmpty();
        SandboxMain.PooulOptions mixed = SandboxMain.parsePooul(new String[] {"--wechat-port", "0", "--pooul-port", "0",
            "--wechat-merchant", MERCHANT, "--pooul-keys", "/tmp/k", "--pooul-merchant", "m:classic:k"});
        assertThat(mixed.rest()).containsExactly("--wechat-port", "0", "--wechat-merchant", MERCHANT);
        assertThatThrownBy(() -> SandboxMain.parsePooul(new String[] {"--pooul-port", "0"}))
                .hasMessageContaining("--pooul-keys");
        assertThatThrownBy(() -> SandboxMain.parsePooul(new String[] {"--pooul-port", "0", "--pooul-keys", "/tmp/k",
            "--pooul-merchant", "m:v3:secret"})).hasMessageNotContaining("secret");
    }
}
