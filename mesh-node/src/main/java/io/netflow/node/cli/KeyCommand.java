package io.netflow.node.cli;

import io.netflow.gateway.auth.ApiKeys;
import io.netflow.node.NodeScopes;
import java.io.PrintWriter;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code key --id NAME --scopes "publish:* subscribe:*"}: a new API key and its config entry. */
@Command(name = "key", description = {"Makes a new gateway API key: prints the secret for the client, and the "
  + "entry for gateway.api-keys on every node (which holds only the secret's SHA-256).", ""})
final class KeyCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Option(names = "--id", required = true, paramLabel = "NAME",
    description = "The key's id: 1-64 letters, digits, '.', '_' or '-'.")
  String id;

  @Option(names = "--scopes", required = true, paramLabel = "SCOPES",
    description = "What the key may do, space-separated: publish:<glob> subscribe:<glob> work:<glob> contribute models:<glob> admin.")
  String scopes;

  @Override
  public Integer call() {
    byte[] secret = new byte[32];
    new SecureRandom().nextBytes(secret);
    String key = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    String entry = ApiKeys.entry(id, key, scopes);
    try {
      ApiKeys.parse(List.of(entry)).requireKnown(NodeScopes.ALL);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    PrintWriter out = spec.commandLine().getOut();
    out.println("API key (give it to the client; it is not stored anywhere): " + key);
    out.println("Config entry for every node (gateway.api-keys): " + entry);
    return NetflowCli.EXIT_OK;
  }
}
