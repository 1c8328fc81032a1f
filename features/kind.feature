Feature: A Kubernetes cluster in Docker
  kind makes a Kubernetes cluster whose nodes are Docker containers; kubectl
  talks to it through the context kind writes into the kubeconfig.

  @tools
  Scenario: kind and kubectl are installed
    Then the kind CLI reports version 0.20.0 or newer
    And kubectl reports client version 1.29.0 or newer

  @cluster
  Scenario: The cluster {{ vars.cluster_name }} runs, made from the workspace's configuration
    Given the workspace file "{{ vars.kind_dir }}/cluster.yaml" is a kind configuration for cluster "{{ vars.cluster_name }}"
    Then that configuration maps host port {{ vars.app_node_port }} to node port {{ vars.app_node_port }}
    And the kind cluster "{{ vars.cluster_name }}" has a running node
    And the kind cluster "{{ vars.cluster_name }}" maps host port {{ vars.app_node_port }} to node port {{ vars.app_node_port }}
    And every node of the kind cluster "{{ vars.cluster_name }}" is Ready within 60 seconds
    And the current kubectl context is "kind-{{ vars.cluster_name }}"

  @load-image
  Scenario: The app's image is in the node's image store
    Given the kind cluster "{{ vars.cluster_name }}" has a running node
    Then every node of the kind cluster "{{ vars.cluster_name }}" has the image "{{ vars.app_build }}" as built
