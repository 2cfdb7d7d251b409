@purchase_flow @REQ-FLOW-LENGTH
Feature: Purchase flow length
  From clicking a product to payment done, a buyer needs at most 5 steps.

  Counting rule: a step is a user action that moves the buyer to a new screen. Clicking the
  product counts; the traceability entry prompt (可回溯) counts; the payment-success page does
  not. A screen is known by its route, its main heading, a blocking dialog or its
  data-flow-step marker, never by a navigation event.

  @critical
  Scenario Outline: Buying <product> takes at most 5 steps
    Given the buyer completes the <product> purchase journey at its main viewport (default "{{ main_viewport }}")
    Then the journey takes at most 5 steps from clicking the product to payment done

    Examples:
      | product  |
{% for p in products %}
      | {{ p.code }} |
{% endfor %}
